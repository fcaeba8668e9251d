/**
 * npm run apikey:add -- --name <name> --role ingest|read|admin [--stores A,B] [--file keys.json]
 * Adds a key to HUB_API_KEYS_FILE (or --file) and prints the new key once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { appendKey, createApiKey, ROLES } from '../security/api-keys.js';
import { idSchema } from '../../common/event.js';

const argsSchema = z.object({
  name: z.string().min(1).max(120),
  role: z.enum(ROLES),
  stores: z.array(idSchema).optional(),
  file: z.string().min(1, 'give --file or set HUB_API_KEYS_FILE'),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, role: { type: 'string' }, stores: { type: 'string' }, file: { type: 'string' } },
  });
  const parsed = argsSchema.safeParse({
    name: values.name,
    role: values.role,
    stores: values.stores ? values.stores.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    file: values.file ?? process.env.HUB_API_KEYS_FILE ?? '',
  });
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${msg}\nusage: npm run apikey:add -- --name <name> --role ${ROLES.join('|')} [--stores A,B] [--file keys.json]`);
  }
  const a = parsed.data;
  const { key, entry } = await createApiKey({ name: a.name, role: a.role, stores: a.stores });
  appendKey(a.file, entry);
  process.stdout.write(
    `added key "${entry.name}" (role ${entry.role}${entry.stores ? `, stores ${entry.stores.join(',')}` : ', all stores'}) to ${a.file}\n` +
      `key (shown once, store it now): ${key}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`apikey:add: ${(err as Error).message}\n`);
  process.exit(1);
});
