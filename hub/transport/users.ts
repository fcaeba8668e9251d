import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { z } from 'zod';
import { idSchema } from '../../common/event.js';
import { AppError } from '../../common/errors.js';
import { describeIssues } from '../../common/layout.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, keylen: number, opts: object) => Promise<Buffer>;

// scrypt N=2^14, r=8, p=1: the parameters RFC 7914 §2 and OWASP give for interactive logins (~50 ms here).
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEYLEN = 32;

const hashRe = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export const mqttUserSchema = z.object({
  password_hash: z.string().regex(hashRe, 'must be scrypt$N$r$p$salt$hash (made by npm run mqtt:adduser)'),
  store_id: idSchema,
  /** Cameras this login may publish for; ["*"] = every camera of the store. */
  camera_ids: z.array(z.union([idSchema, z.literal('*')])).min(1),
});
export const usersFileSchema = z.record(z.string().min(1).max(128), mqttUserSchema);
export type MqttUser = z.infer<typeof mqttUserSchema>;
export type UsersFile = z.infer<typeof usersFileSchema>;

/** `scrypt$N$r$p$salt$hash`, base64 parts: self-describing so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = hashRe.exec(stored);
  if (!m) return false;
  const [, N, r, p, salt, hash] = m;
  const expected = Buffer.from(hash!, 'base64');
  const key = await scrypt(password, Buffer.from(salt!, 'base64'), expected.length, { N: Number(N), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function parseUsersFile(raw: unknown, source: string): UsersFile {
  const r = usersFileSchema.safeParse(raw);
  if (!r.success) throw new AppError('CONFIG_INVALID', `${source}: ${describeIssues(r.error)}`);
  return r.data;
}

/** Reads and validates MQTT_USERS_FILE; errors name the file and the bad entry. */
export function loadUsersFile(path: string): UsersFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `MQTT_USERS_FILE ${path}: cannot read JSON: ${(err as Error).message}`);
  }
  return parseUsersFile(raw, `MQTT_USERS_FILE ${path}`);
}
