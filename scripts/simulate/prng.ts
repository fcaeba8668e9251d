/**
 * Seeded pseudo-random numbers for the simulator: the same seed gives the same store day, event ids included,
 * so a run can be reproduced and re-publishing it is idempotent at the hub (duplicates by event_id).
 * mulberry32 (Tommy Ettinger's 32-bit generator): one word of state, passes gjrand's tests at this size, and is
 * fast enough that generation costs far less than publishing (see docs/drafts/deployment.md).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Exponential with the given mean. */
  exp(mean: number): number;
  /** Log-normal with the given median and shape sigma (of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  pick<T>(items: readonly T[]): T;
  /** A version-4-shaped UUID drawn from this stream (deterministic, not cryptographic). */
  uuid(): string;
  /** `n` lowercase hex characters. */
  hex(n: number): string;
}

/** mulberry32: a tiny seeded PRNG (uniform in [0, 1)), the same sequence on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the parts: derives independent streams (one per store) from one user seed. */
export function deriveSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const word = () => Math.floor(next() * 4294967296) >>> 0;
  const hex = (n: number) => {
    let s = '';
    while (s.length < n) s += word().toString(16).padStart(8, '0');
    return s.slice(0, n);
  };
  const normal = () => {
    // Box–Muller; 1 - next() keeps the log argument in (0, 1].
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    exp: (mean) => -mean * Math.log(1 - next()),
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    uuid() {
      const h = hex(32).split('');
      h[12] = '4';
      h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    hex,
  };
}
