import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { idSchema } from '../../common/event.js';
import { AppError } from '../../common/errors.js';
import { describeIssues } from '../../common/layout.js';
import { hashPassword, verifyPassword } from '../transport/users.js';
import { createLoginGuard, DEFAULT_LOGIN_GUARD, verifyConstantCost, type LoginGuard } from './login-guard.js';

export const ROLES = ['ingest', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const apiKeyEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9]{8,32}$/),
  name: z.string().min(1).max(120),
  role: z.enum(ROLES),
  /** Stores this key may touch; absent = every store. */
  stores: z.array(idSchema).min(1).optional(),
  /** scrypt hash of the secret part (same format as MQTT_USERS_FILE). */
  hash: z.string().startsWith('scrypt$'),
  created_at: z.string(),
});
export const apiKeysFileSchema = z.object({ keys: z.array(apiKeyEntrySchema) });
export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;

/** Who is calling: a key's name, role and store scope (null = every store). */
export interface Principal {
  name: string;
  role: Role;
  stores: ReadonlySet<string> | null;
}

const KEY_RE = /^sik_([a-z0-9]{8,32})_([A-Za-z0-9_-]{20,128})$/;

/** Makes a new key: `sik_<id>_<secret>`; only the scrypt hash of the secret is stored. */
export async function createApiKey(opts: { name: string; role: Role; stores?: string[] }): Promise<{ key: string; entry: ApiKeyEntry }> {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const entry: ApiKeyEntry = {
    id,
    name: opts.name,
    role: opts.role,
    ...(opts.stores?.length ? { stores: opts.stores } : {}),
    hash: await hashPassword(secret),
    created_at: new Date().toISOString(),
  };
  return { key: `sik_${id}_${secret}`, entry };
}

export function readKeysFile(path: string): ApiKeyEntry[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `HUB_API_KEYS_FILE ${path}: cannot read JSON: ${(err as Error).message}`);
  }
  const r = apiKeysFileSchema.safeParse(raw);
  if (!r.success) throw new AppError('CONFIG_INVALID', `HUB_API_KEYS_FILE ${path}: ${describeIssues(r.error)}`);
  return r.data.keys;
}

/** Appends an entry atomically (write to a temp file, then rename). */
export function appendKey(path: string, entry: ApiKeyEntry): void {
  const keys = [...readKeysFile(path), entry];
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * Verifies presented keys against the keys file. scrypt costs ~50 ms by design, so a verified key is
 * remembered by its SHA-256 (never the key itself); the file is re-read when it changes on disk, so a key
 * added with `npm run apikey:add` works without a restart.
 */
export function createKeyring(
  path: string,
  opts: { reloadCheckMs?: number; guard?: LoginGuard; verify?: typeof verifyPassword } = {},
) {
  const guard = opts.guard ?? createLoginGuard(DEFAULT_LOGIN_GUARD);
  let entries = readKeysFile(path);
  let mtimeMs = existsSync(path) ? statSync(path).mtimeMs : 0;
  let checkedAt = Date.now();
  const verified = new Map<string, Principal>();

  function maybeReload(): void {
    const now = Date.now();
    if (now - checkedAt < (opts.reloadCheckMs ?? 2000)) return;
    checkedAt = now;
    const m = existsSync(path) ? statSync(path).mtimeMs : 0;
    if (m !== mtimeMs) {
      entries = readKeysFile(path);
      mtimeMs = m;
      verified.clear();
    }
  }

  return {
    size: () => entries.length,
    /**
     * The principal for a presented key, or null when it is not a valid key. Unknown ids cost a full scrypt like
     * known ones; after repeated failures from `caller.ip` or for one key id it throws RATE_LIMITED without scrypt.
     */
    async verify(key: string, caller: { ip: string } = { ip: '' }): Promise<Principal | null> {
      maybeReload();
      const digest = createHash('sha256').update(key).digest('hex');
      const hit = verified.get(digest);
      if (hit) return hit;
      const m = KEY_RE.exec(key);
      const account = m ? m[1]! : null;
      const wait = guard.blockedFor(caller.ip, account);
      if (wait > 0) {
        throw new AppError('RATE_LIMITED', `too many failed API key attempts; retry in ${wait} s`, { retry_after_s: wait });
      }
      const entry = m ? entries.find((e) => e.id === m[1]) : undefined;
      const ok = m ? await verifyConstantCost(m[2]!, entry?.hash, opts.verify) : false;
      if (!m || !entry || !ok) {
        guard.fail(caller.ip, account);
        return null;
      }
      const principal: Principal = { name: entry.name, role: entry.role, stores: entry.stores ? new Set(entry.stores) : null };
      if (verified.size > 10_000) verified.clear();
      verified.set(digest, principal);
      return principal;
    },
  };
}
export type Keyring = ReturnType<typeof createKeyring>;
