import { hashPassword, verifyPassword } from '../transport/users.js';

/**
 * Failed-login throttling shared by API keys and MQTT logins. Only failures count, so a rack of agents logging in
 * at once is never slowed; after `maxFailures` failures of one caller (IP) or one account (key id, user name)
 * inside `windowMs`, further attempts are refused at once, without running scrypt, until the window ends. That
 * bounds both guessing and the CPU an attacker can make the hub spend (400 bad attempts held the CPU 22 s).
 * Pure apart from the clock, which is injected.
 */
export interface LoginGuardConfig {
  /** Failures allowed per key (IP or account) within the window. */
  maxFailures: number;
  windowMs: number;
  /** Most keys remembered; past it the oldest window is forgotten (bounded memory under a spraying flood). */
  maxKeys?: number;
}

export function createLoginGuard(cfg: LoginGuardConfig, clock: () => number = Date.now) {
  const failures = new Map<string, { count: number; resetAt: number }>();
  const maxKeys = cfg.maxKeys ?? 100_000;

  function current(key: string, now: number): { count: number; resetAt: number } | undefined {
    const f = failures.get(key);
    if (f && f.resetAt <= now) {
      failures.delete(key);
      return undefined;
    }
    return f;
  }

  return {
    /** Seconds to wait when any of `keys` is blocked, else 0. */
    blockedFor(keys: readonly string[]): number {
      const now = clock();
      let wait = 0;
      for (const k of keys) {
        const f = current(k, now);
        if (f && f.count >= cfg.maxFailures) wait = Math.max(wait, Math.ceil((f.resetAt - now) / 1000));
      }
      return wait;
    },
    /** Records one failed attempt against every key. */
    fail(keys: readonly string[]): void {
      const now = clock();
      for (const k of keys) {
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

/** Ten failures a minute per IP or account: a person mistyping never meets it, a guesser meets it at once. */
export const DEFAULT_LOGIN_GUARD: LoginGuardConfig = { maxFailures: 10, windowMs: 60_000 };

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
