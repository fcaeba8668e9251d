/**
 * Token buckets keyed by caller (API key name or IP). Pure: time comes from the caller, so tests are exact.
 * A bucket holds `burst` tokens and refills at `perMinute` per minute; a request takes one token.
 */
export interface RateLimitConfig {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function createRateLimiter(cfg: RateLimitConfig, opts: { maxKeys?: number } = {}) {
  const buckets = new Map<string, Bucket>();
  const ratePerMs = cfg.perMinute / 60_000;
  const maxKeys = opts.maxKeys ?? 100_000;

  return {
    /** Takes a token for `key` at time `nowMs`; when none is left, says how long to wait. */
    take(key: string, nowMs: number): { ok: true } | { ok: false; retryAfterS: number } {
      let b = buckets.get(key);
      if (!b) {
        // Bounded memory under an IP-spraying flood: forget everyone (they start with a full bucket again).
        if (buckets.size >= maxKeys) buckets.clear();
        b = { tokens: cfg.burst, updatedMs: nowMs };
        buckets.set(key, b);
      }
      b.tokens = Math.min(cfg.burst, b.tokens + (nowMs - b.updatedMs) * ratePerMs);
      b.updatedMs = nowMs;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000)) };
    },
    size: () => buckets.size,
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
