import { hashPassword, verifyPassword } from '../transport/users.js';

/**
 * Failed-login throttling shared by API keys and MQTT logins. Only failures count, so a rack of agents logging in
 * at once is never slowed. Failures are counted per caller and account together (a guesser, or one misconfigured
 * camera retrying every second, is stopped after `perPair`), and more loosely per IP and per account alone (a
 * sprayer of many names, or many IPs against one name, after `perIp` / `perAccount`). Once a count is reached,
 * attempts are refused at once, without running scrypt and without counting, until the window ends; so one bad
 * camera behind a store's NAT does not lock out its siblings, and the CPU an attacker can make the hub spend is
 * bounded (400 bad attempts once held the CPU 22 s). Pure apart from the clock, which is injected.
 */
export interface LoginGuardConfig {
  /** Failures allowed for one (IP, account) within the window. */
  perPair: number;
  /** Failures allowed from one IP, over all accounts. */
  perIp: number;
  /** Failures allowed against one account (key id, user name), over all IPs. */
  perAccount: number;
  windowMs: number;
  /** Most keys remembered; past it the oldest window is forgotten (bounded memory under a spraying flood). */
  maxKeys?: number;
}

export function createLoginGuard(cfg: LoginGuardConfig, clock: () => number = Date.now) {
  const failures = new Map<string, { count: number; resetAt: number }>();
  const maxKeys = cfg.maxKeys ?? 100_000;
  const keysOf = (ip: string, account: string | null): [string, number][] => [
    [`ip:${ip}`, cfg.perIp],
    ...(account === null ? [] : ([[`pair:${ip}|${account}`, cfg.perPair], [`account:${account}`, cfg.perAccount]] as [string, number][])),
  ];

  function current(key: string, now: number): { count: number; resetAt: number } | undefined {
    const f = failures.get(key);
    if (f && f.resetAt <= now) {
      failures.delete(key);
      return undefined;
    }
    return f;
  }

  return {
    /** Seconds to wait before `ip` may try `account` (null: no account could be read) again, else 0. */
    blockedFor(ip: string, account: string | null): number {
      const now = clock();
      let wait = 0;
      for (const [k, max] of keysOf(ip, account)) {
        const f = current(k, now);
        if (f && f.count >= max) wait = Math.max(wait, Math.ceil((f.resetAt - now) / 1000));
      }
      return wait;
    },
    /** Records one failed attempt. */
    fail(ip: string, account: string | null): void {
      const now = clock();
      for (const [k] of keysOf(ip, account)) {
        const f = current(k, now);
        if (f) f.count += 1;
        else {
          if (failures.size >= maxKeys) failures.delete(failures.keys().next().value!);
          failures.set(k, { count: 1, resetAt: now + cfg.windowMs });
        }
      }
    },
    size: () => failures.size,
  };
}
export type LoginGuard = ReturnType<typeof createLoginGuard>;

/**
 * Ten failures a minute per (IP, account): a person mistyping never meets it, a guesser meets it at once; a
 * hundred per IP or per account: ten misconfigured cameras behind one NAT before their siblings are affected.
 */
export const DEFAULT_LOGIN_GUARD: LoginGuardConfig = { perPair: 10, perIp: 100, perAccount: 100, windowMs: 60_000 };

let dummyHash: Promise<string> | null = null;

/**
 * Verifies `secret` against `hash`, or, when there is no such account, against a throw-away hash of the same
 * cost: an unknown id then costs what a known id with a wrong secret costs (74.5 ms against 1.6 ms revealed
 * which key ids and user names exist).
 */
export async function verifyConstantCost(secret: string, hash: string | undefined, verify = verifyPassword): Promise<boolean> {
  if (hash !== undefined) return verify(secret, hash);
  dummyHash ??= hashPassword('not-a-real-account');
  await verify(secret, await dummyHash);
  return false;
}
