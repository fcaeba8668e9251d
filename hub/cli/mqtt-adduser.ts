/**
 * npm run mqtt:adduser -- --file <users.json> --username <name> --store <store_id> [--cameras CAM_1,CAM_2|*]
 *                         [--password <pw>]   (default: MQTT_ADDUSER_PASSWORD, else a random one is printed)
 * Adds or replaces one login in the MQTT users file (scrypt hash; hub/transport/users.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../../common/errors.js';
import { hashPassword, mqttUserSchema, parseUsersFile, type UsersFile } from '../transport/users.js';
import { describeIssues } from '../../common/layout.js';

async function main(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string' },
      username: { type: 'string' },
      store: { type: 'string' },
      cameras: { type: 'string', default: '*' },
      password: { type: 'string' },
    },
  });
  for (const k of ['file', 'username', 'store'] as const) {
    if (!a[k]) throw new AppError('BAD_REQUEST', `--${k} is required (usage: --file users.json --username cam1 --store STORE_1 [--cameras CAM_1,CAM_2] [--password pw])`);
  }
  const generated = !a.password && !process.env.MQTT_ADDUSER_PASSWORD;
  const password = a.password ?? process.env.MQTT_ADDUSER_PASSWORD ?? randomBytes(18).toString('base64url');
  const entry = { password_hash: await hashPassword(password), store_id: a.store!, camera_ids: a.cameras!.split(',').map((s) => s.trim()) };
  const checked = mqttUserSchema.safeParse(entry);
  if (!checked.success) throw new AppError('BAD_REQUEST', `--store/--cameras: ${describeIssues(checked.error)}`);
  let users: UsersFile = {};
  if (existsSync(a.file!)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(a.file!, 'utf8'));
    } catch (err) {
      throw new AppError('BAD_REQUEST', `--file ${a.file}: not JSON: ${(err as Error).message}`);
    }
    users = parseUsersFile(raw, `--file ${a.file}`);
  }
  users[a.username!] = checked.data;
  writeFileSync(`${a.file}.tmp`, JSON.stringify(users, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${a.file}.tmp`, a.file!);
  process.stdout.write(`${JSON.stringify({ event: 'mqtt_user_saved', file: a.file, username: a.username, store_id: a.store, camera_ids: checked.data.camera_ids })}\n`);
  if (generated) process.stdout.write(`password for ${a.username}: ${password}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`mqtt:adduser: ${isAppError(err) ? err.message : (err as Error).message}\n`);
  process.exit(1);
});
