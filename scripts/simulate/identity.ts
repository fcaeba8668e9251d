/**
 * Multi-camera store for the identity bench: an entrance camera (door lines) and a till camera, per-camera track
 * ids and visitor ids, and the cosine similarity of every cross-camera pair of tracks drawn from the distributions
 * measured on real footage with the project's OSNet x0.25 (two disjoint cameras, 74 people): same person
 * p5/p50/p95 0.65/0.73/0.82, different people 0.42/0.52/0.65. Pairs are drawn independently, which reproduces the
 * measured rank-1 figures (10-person galleries 93–94 %, 74 people 76 %; test/scripts/simulate-identity.test.ts),
 * or, with `correlation`, through per-person latents that keep those marginals. Entering and leaving tracks of the
 * entrance camera are compared with the same-camera estimate (evidence.ts). Buyers mostly walk out within minutes
 * of the till, but a share keep browsing, and the door camera misses some people leaving.
 * The true person behind every track is kept for scoring; nothing here is seen by the resolver.
 */
import { DEFAULT_APPEARANCE, type CosineDist } from '../../hub/identity/evidence.js';
import type { Sighting } from '../../hub/identity/resolve.js';
import { createRng, deriveSeed, mulberry32, type Rng } from './prng.js';

const S = 1000;
const MIN = 60 * S;

const CROSS = DEFAULT_APPEARANCE.crossCamera;
const SAME_CAM = DEFAULT_APPEARANCE.sameCamera;
const Z95 = 1.6449;

/** A two-piece normal through p5/p50/p95 (the measured distributions are right-skewed). */
export function drawSimilarity(rng: Rng, d: CosineDist): number {
  return cosineAt(normal(rng), d);
}

/** The cosine at standard-normal score `z` of the distribution `d`. */
export function cosineAt(z: number, d: CosineDist): number {
  const sd = z < 0 ? (d.p50 - d.p5) / Z95 : (d.p95 - d.p50) / Z95;
  return Math.max(-1, Math.min(1, d.p50 + z * sd));
}

function normal(rng: Pick<Rng, 'next'>): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A standard normal from its own stream (the bare generator: millions of pairs are drawn). */
const normalOf = (seed: number) => normal({ next: mulberry32(seed) });

export interface IdentitySimOptions {
  /** People in the building at once (steady state): arrivals per minute × mean stay. */
  occupancy: number;
  /** Simulated hours (the first hour fills the building and is not scored). */
  hours: number;
  seed: number;
  /** Share of visitors who go to the till. */
  buyProbability: number;
  /** Median browsing time before the till or the exit (ms), log-normal with shape 0.6. */
  browseMedianMs: number;
  /** Share of till customers who never passed the entrance camera (a side door, a blind spot). */
  unseenEntryProbability: number;
  /** Staff tracks at the till per hour. */
  staffPerHour: number;
  /**
   * Share of till customers who keep browsing after paying, for a log-normal time (median `lingerMedianMs`, shape
   * 0.8) before they leave; the others walk out 0.5–2.5 min after leaving the till's view.
   */
  lingerProbability: number;
  lingerMedianMs: number;
  /** Share of people whose leaving the entrance camera does not see (occluded, a group, another door). */
  missedExitProbability: number;
  /**
   * Correlation of one person's cosines (0 = every pair drawn independently). With rho > 0 a pair's normal score
   * is sqrt(rho)·latent + sqrt(1 − rho)·noise: same person, one latent per person (someone who changes look between
   * views does so in every pair); two different people, one latent per pair of people (a look-alike looks alike
   * entering and leaving). The marginal distributions stay the measured ones.
   */
  correlation: number;
}

export const IDENTITY_SIM_DEFAULTS: Omit<IdentitySimOptions, 'occupancy'> = {
  hours: 3,
  seed: 1,
  buyProbability: 0.5,
  browseMedianMs: 12 * MIN,
  unseenEntryProbability: 0.02,
  staffPerHour: 2,
  lingerProbability: 0.25,
  lingerMedianMs: 10 * MIN,
  missedExitProbability: 0.1,
  correlation: 0,
};

export interface SimTrack extends Sighting {
  /** Truth: the person behind the track (staff: `STAFF_n`). */
  person: string;
  /** Whether the track is scored (a till customer after the warm-up hour). */
  scored: boolean;
}

export interface IdentitySim {
  tracks: SimTrack[];
  /** Cosine of two tracks, drawn once per pair (same person or not) and remembered. */
  similarity(a: Sighting, b: Sighting): number;
  /** Truth per till-camera visitor id: the entrance visitor id of the same person, or null (never seen entering). */
  truth: Map<string, string | null>;
  /** True buyers (distinct people at the till) in the scored window. */
  buyers: number;
  /** Truth: when each person went out (whether or not the entrance camera saw it). */
  leftAt: Map<string, number>;
}

export const ENTRANCE_CAMERA = 'CAM_ENTRY_01';
export const TILL_CAMERA = 'CAM_TILL_01';

export function simulateIdentityStore(options: Partial<IdentitySimOptions> & { occupancy: number }): IdentitySim {
  const o = { ...IDENTITY_SIM_DEFAULTS, ...options };
  const rng = createRng(deriveSeed('identity', o.seed, o.occupancy));
  const tracks: SimTrack[] = [];
  const truth = new Map<string, string | null>();
  // Mean of the log-normal browse time plus the till's few minutes for buyers: the mean stay.
  const meanStay = o.browseMedianMs * Math.exp(0.18) + o.buyProbability * (3 * MIN + (1 - o.lingerProbability) * 1.5 * MIN + o.lingerProbability * o.lingerMedianMs * Math.exp(0.32));
  const perMs = o.occupancy / meanStay;
  const end = o.hours * 60 * MIN;
  const warmUp = 60 * MIN;
  let n = 0;
  const id = (p: string) => `${p}_${(n++).toString(36).padStart(6, '0')}`;
  const track = (t: Omit<SimTrack, 'key' | 'isStaff' | 'exitedMs'> & { isStaff?: boolean; exitedMs?: number }) =>
    tracks.push({ key: id('SIG'), isStaff: false, exitedMs: null, ...t });

  let buyers = 0;
  const leftAt = new Map<string, number>();
  for (let t = rng.exp(1 / perMs); t < end; t += rng.exp(1 / perMs)) {
    const person = id('P');
    const seenEntering = !rng.chance(o.unseenEntryProbability);
    const entryVisitor = id('VIS_E');
    if (seenEntering) {
      track({ person, visitorId: entryVisitor, cameraId: ENTRANCE_CAMERA, entrance: true, enteredMs: t, firstMs: t - 2 * S, lastMs: t + rng.uniform(2, 6) * S, scored: false });
    }
    let leaveAt = t + rng.logNormal(o.browseMedianMs, 0.6);
    if (rng.chance(o.buyProbability)) {
      const first = leaveAt;
      const last = first + rng.uniform(1 * MIN, 5 * MIN);
      const tillVisitor = id('VIS_T');
      const scored = first >= warmUp;
      track({ person, visitorId: tillVisitor, cameraId: TILL_CAMERA, entrance: false, enteredMs: null, firstMs: first, lastMs: last, scored });
      truth.set(tillVisitor, seenEntering ? entryVisitor : null);
      if (scored) buyers++;
      leaveAt = last + (rng.chance(o.lingerProbability) ? rng.logNormal(o.lingerMedianMs, 0.8) : rng.uniform(0.5 * MIN, 2.5 * MIN));
    }
    leftAt.set(person, leaveAt);
    // Leaving: a new track on the entrance camera (the agent's visitor id of an exit-only track is new).
    if (!rng.chance(o.missedExitProbability)) track({ person, visitorId: id('VIS_X'), cameraId: ENTRANCE_CAMERA, entrance: true, enteredMs: null, firstMs: leaveAt, lastMs: leaveAt + 3 * S, scored: false, exitedMs: leaveAt + 3 * S });
  }
  for (let t = rng.exp(60 * MIN / Math.max(o.staffPerHour, 1e-9)); o.staffPerHour > 0 && t < end; t += rng.exp(60 * MIN / o.staffPerHour)) {
    const v = id('VIS_T');
    track({ person: `STAFF_${v}`, visitorId: v, cameraId: TILL_CAMERA, entrance: false, enteredMs: null, firstMs: t, lastMs: t + 5 * MIN, isStaff: true, scored: false });
  }
  tracks.sort((a, b) => a.lastMs - b.lastMs || (a.key < b.key ? -1 : 1));

  const byKey = new Map(tracks.map((t) => [t.key, t]));
  const drawn = new Map<string, number>();
  const latents = new Map<string, number>();
  const latent = (k: string) => {
    let z = latents.get(k);
    if (z === undefined) latents.set(k, (z = normalOf(deriveSeed('latent', o.seed, k))));
    return z;
  };
  const rho = Math.max(0, Math.min(1, o.correlation));
  return {
    tracks,
    truth,
    buyers,
    leftAt,
    similarity(a, b) {
      const k = a.key < b.key ? `${a.key}|${b.key}` : `${b.key}|${a.key}`;
      let s = drawn.get(k);
      if (s === undefined) {
        const [p, q] = [byKey.get(a.key)?.person ?? a.key, byKey.get(b.key)?.person ?? b.key];
        const same = p === q;
        const model = a.cameraId === b.cameraId ? SAME_CAM : CROSS;
        // One stream per pair: the value does not depend on the order pairs are asked for.
        let z = normalOf(deriveSeed('pair', o.seed, k));
        if (rho > 0) z = Math.sqrt(rho) * latent(same ? p : p < q ? `${p}|${q}` : `${q}|${p}`) + Math.sqrt(1 - rho) * z;
        s = cosineAt(z, same ? model.same : model.other);
        drawn.set(k, s);
      }
      return s;
    },
  };
}
