/**
 * Store-level identity, the pure core: which entrance visitor does a track seen by another camera belong to?
 * No I/O: the hub's identity service (identity-service.ts) loads the store's sightings, calls `resolveRound` and
 * stores the links; the identity bench (bench/identity.ts) calls the same function on simulated stores.
 *
 * Evidence: appearance (cosine of the two tracks' signatures, given as `similarity`), what is physically possible
 * (the visitor entered at least `minTransitMs` before the track appears, no longer than `maxStayMs` before, and had
 * not gone out through the entrance before it ended), and how the visitor left: the track against the visitor's
 * leaving track (a second view) and when that exit came, which is why a till track is decided only after the exits
 * that follow it; a leaving track is weighed against the tracks of other cameras already linked to each candidate
 * (seenEvidence). The three views of one candidate are weighed jointly, with the dependence between one person's
 * views (and a look-alike's) measured on the store's own links (viewsCorrection, view-correlation.ts). Decision: a
 * global assignment (one visitor per track, one track per visitor and camera) of evidence in nats, with
 * abstention: a link stands only when its posterior against every rival and "never seen entering" reaches
 * `minPosterior` (docs/DESIGN.md, "Store-level identity"). An unlinked track still counts, under its own camera's
 * visitor id.
 */
import { maxWeightMatching, type WeightMatrix } from './assignment.js';
import { estimateLookAlikeCorrelation, type LinkedPair } from './view-correlation.js';
import { appearanceLlr, DEFAULT_APPEARANCE, DEFAULT_LEAVING, exitTimingLlr, logEquicorrelatedCopula, noExitLlr, normalScore, transitLogPrior, type AppearanceModels, type LeavingModel } from './evidence.js';

/** One track's signature as the resolver sees it (the embedding stays outside: `similarity` reads it). */
export interface Sighting {
  /** Unique id of the signature (the agent's signature_id). */
  key: string;
  visitorId: string;
  cameraId: string;
  /** True for tracks of a camera that watches the entrance (has door lines). */
  entrance: boolean;
  /** Entrance tracks: when the person crossed in (ENTRY/REENTRY); null when the track never crossed in. */
  enteredMs: number | null;
  /** Entrance tracks: when the person went out on this same track; null when not seen leaving. */
  exitedMs: number | null;
  firstMs: number;
  lastMs: number;
  isStaff: boolean;
}

export interface IdentityRules {
  /** Fastest walk from the entrance into another camera's view (ms). */
  minTransitMs: number;
  /** Longest plausible visit (ms): people who entered earlier are no longer candidates. */
  maxStayMs: number;
  /** Transit time from the entrance into another camera's view: log-normal median (ms) and shape (evidence.ts). */
  transitMedianMs: number;
  transitSigma: number;
  /** Cosine distributions of the re-id model (same person / different people), across cameras and within one. */
  appearance: AppearanceModels;
  /** Cosine below which a pair is never considered (cheap pruning; far below any useful match). */
  minSimilarity: number;
  /**
   * Posterior a link needs: the chosen visitor's share of the evidence of every possible visitor plus the
   * chance that the person was never seen entering (`unseenPrior`). 0.92 kept wrong links under 2 % of till customers in
   * bench:identity with seeds 1–3 and correlated looks; 0.9 did not (docs/BENCHMARKS.md).
   */
  minPosterior: number;
  /** Prior odds that a track's person did not pass the entrance camera (side door, blind spot, camera down). */
  unseenPrior: number;
  /** Tracks are decided in batches of this length (ms) of their last sighting… */
  bucketMs: number;
  /** …once the store's clock is this far past the batch (late signatures of other cameras arrive in time). */
  settleMs: number;
  /**
   * An ambiguous track is decided a second (final) time this long after its first decision: by then its rivals may
   * have been linked to their own tracks or seen leaving. 0 = the first decision is final.
   */
  reconsiderMs: number;
  /**
   * The same for a leaving track: its second decision comes once the till tracks that ended just before it have
   * been linked (`exitWaitMs` after their batch), so that it is weighed against them too (`seenEvidence`).
   */
  exitReconsiderMs: number;
  /** Weigh a leaving track against the tracks of other cameras already linked to each candidate (`seenEvidence`). */
  exitsWeighSeen: boolean;
  /**
   * A track of a non-entrance camera is first decided this much later still (ms), so that the exits following it
   * (most people walk out within minutes of the till) have been seen and linked, and weigh in (`leaving`,
   * `secondSampleWeight`). 0 = decide as soon as the batch settles.
   */
  exitWaitMs: number;
  /**
   * Weight of the second appearance sample, the cosine of the track with the candidate's linked leaving track
   * (1 = as informative as the first; lower discounts it: one person's samples are not independent). 0 = unused.
   */
  secondSampleWeight: number;
  /** When the candidate was seen leaving (or has not been yet) as evidence; null = unused. */
  leaving: LeavingModel | null;
  /** Also weigh leaving tracks not linked to anybody, by the posterior that each is the candidate's. */
  softExits: boolean;
  /**
   * Posterior a leaving track needs to be linked: a wrong exit link closes a visitor who is still inside and lends
   * a stranger's looks to them, so it costs more than a wrong till link; unlinked exits still count, softly.
   */
  exitMinPosterior: number;
  /**
   * Correlation (of normal scores) assumed between the views of one person, and between a look-alike's views of
   * that person: the till track, the entering and the leaving track are weighed jointly (Gaussian copula) instead
   * of as independent samples. 0 = independent.
   */
  viewCorrelation: number;
  /**
   * Measure the view correlation on the store's own links instead (view-correlation.ts) once this many links
   * allow it, using the estimate plus two standard errors (never below 0); `viewCorrelation` until then. 0 = never.
   */
  estimateCorrelationAfter: number;
}

export const DEFAULT_RULES: IdentityRules = {
  minTransitMs: 5_000,
  maxStayMs: 4 * 3_600_000,
  transitMedianMs: 10 * 60_000,
  transitSigma: 0.8,
  appearance: DEFAULT_APPEARANCE,
  minSimilarity: 0.45,
  minPosterior: 0.92,
  unseenPrior: 0.05,
  bucketMs: 60_000,
  settleMs: 120_000,
  reconsiderMs: 30 * 60_000,
  exitReconsiderMs: 8 * 60_000,
  exitsWeighSeen: true,
  exitWaitMs: 4 * 60_000,
  secondSampleWeight: 1,
  leaving: DEFAULT_LEAVING,
  softExits: true,
  exitMinPosterior: 0.97,
  viewCorrelation: 0.5,
  estimateCorrelationAfter: 30,
};

export interface Link {
  /** Signature key of the linked track. */
  key: string;
  /** The non-entrance camera's visitor id, its camera, and the entrance visitor it belongs to. */
  visitorId: string;
  cameraId: string;
  entranceVisitorId: string;
  /** Posterior probability of the link (also stored as the link's score). */
  score: number;
  posterior: number;
  /** Last sighting of the track: when the link became possible (ms). */
  atMs: number;
}

export type Decision =
  | ({ kind: 'link' } & Link)
  | {
      kind: 'abstain';
      key: string;
      visitorId: string;
      cameraId: string;
      reason: 'no-candidate' | 'below-threshold' | 'ambiguous';
      best: number | null;
      posterior: number | null;
      /** False for a first ambiguous decision that will be reconsidered (rules.reconsiderMs). */
      final: boolean;
    };

export type Similarity = (track: Sighting, anchor: Sighting) => number;

/** When a leaving track went out (the door crossing; its first sighting if the crossing time is missing). */
export const exitTimeOf = (s: Sighting) => s.exitedMs ?? s.firstMs;

/**
 * Whether the anchor's visitor could physically be the person of `track`: entered long enough before it and not too
 * long, and did not go out before the track ended (a person at the till is not at the same time walking out of the
 * door). `exits` holds the leaving track linked to each visitor.
 */
export function feasible(track: Sighting, anchor: Sighting, rules: IdentityRules, exits?: ReadonlyMap<string, Sighting>): boolean {
  if (anchor.enteredMs === null) return false;
  const since = track.firstMs - anchor.enteredMs;
  if (since < rules.minTransitMs || since > rules.maxStayMs) return false;
  const x = exits?.get(anchor.visitorId);
  const out = x && exitTimeOf(x);
  if (out !== undefined && out >= anchor.enteredMs && out < track.lastMs) return false;
  return anchor.exitedMs === null || anchor.exitedMs > track.lastMs;
}

/** Appearance and transit time in one score (nats); null when the pair is below the similarity floor. */
export function evidence(track: Sighting, anchor: Sighting, similarity: Similarity, rules: IdentityRules): number | null {
  const cos = similarity(track, anchor);
  if (cos < rules.minSimilarity) return null;
  const since = track.firstMs - (anchor.enteredMs ?? track.firstMs);
  return appearanceLlr(cos, modelFor(track, anchor, rules)) + transitLogPrior(since, rules.transitMedianMs, rules.transitSigma);
}

const modelFor = (a: Sighting, b: Sighting, rules: IdentityRules) => (a.cameraId === b.cameraId ? rules.appearance.sameCamera : rules.appearance.crossCamera);

/**
 * Likelihood ratio (not log) that `exit` is the going out of the person of `track`: their appearance (weighted by
 * `weight`) times the timing of the exit.
 */
function exitRatio(track: Sighting, exit: Sighting, similarity: Similarity, rules: IdentityRules, weight: number): number {
  let e = 0;
  if (weight > 0) e += weight * appearanceLlr(similarity(track, exit), modelFor(track, exit, rules));
  if (rules.leaving) e += exitTimingLlr(track, exitTimeOf(exit), rules.leaving);
  return Math.exp(e);
}

/**
 * Evidence (nats) from how the candidate visitor left, for a track that is not itself a leaving track, seen up to
 * `untilMs`. A visitor with a linked leaving track: that exit's ratio (exitRatio). Otherwise the visitor's exit is
 * one of the leaving tracks not linked to anybody (each weighted by the posterior that it is this visitor's, from
 * its own appearance against the entering track: `soft`), or not seen yet, which is likelier for somebody still
 * browsing than for a person who has just paid (noExitLlr).
 */
export function leavingEvidence(track: Sighting, anchor: Sighting, exit: Sighting | undefined, untilMs: number, similarity: Similarity, rules: IdentityRules, soft?: SoftExits): number {
  if (isExitTrack(track) || (!rules.leaving && rules.secondSampleWeight <= 0)) return 0;
  // A linked exit is the visitor's: the track against it is a second sample of "is this the visitor".
  let a: number | undefined;
  const views = (x: Sighting, c: number, linked: boolean) => (rules.viewCorrelation > 0 ? viewsCorrection(track, anchor, x, { a: (a ??= similarity(track, anchor)), b: similarity(x, anchor), c }, rules, linked) : 0);
  if (exit && exitTimeOf(exit) <= untilMs) return Math.log(exitRatio(track, exit, similarity, rules, rules.secondSampleWeight)) + views(exit, similarity(track, exit), true);
  const none = rules.leaving ? Math.exp(anchor.exitedMs !== null && anchor.exitedMs <= untilMs ? exitTimingLlr(track, anchor.exitedMs, rules.leaving) : noExitLlr(track, untilMs, rules.leaving)) : 1;
  if (!soft || soft.mass <= 0) return Math.log(none);
  let ratio = 0;
  for (const [x, p, r, c] of soft.terms) ratio += p * r * Math.exp(views(x, c, false));
  // Posteriors of several exits may sum past 1 for one visitor: they are alternatives, so rescale.
  const scale = Math.max(1, soft.mass);
  return Math.log((1 - soft.mass / scale) * none + ratio / scale);
}

/**
 * The unlinked leaving tracks that may be one visitor's: [exit, P(it is the visitor's), its exitRatio, cosine of
 * the track with it], and Σ P.
 */
export interface SoftExits {
  terms: [Sighting, number, number, number][];
  mass: number;
}

/**
 * What the product of the three pairwise ratios (track–entering, exit–entering, track–exit) misses when one
 * person's views are correlated (`rules.viewCorrelation`), in nats: the three cosines as one person's (joint, Gaussian
 * copula) against the alternative the candidate competes with — its two cosines with the till person's views coming
 * from one look-alike (also correlated). `linked`: the exit is known to be the candidate's, so the look-alike pair is
 * track–entering and track–exit; otherwise the exit is the till person's and the pair is track–entering and
 * exit–entering.
 */
export function viewsCorrection(track: Sighting, anchor: Sighting, exit: Sighting, cos: { a: number; b: number; c: number }, rules: IdentityRules, linked: boolean): number {
  const r = rules.viewCorrelation;
  if (r <= 0) return 0;
  const [mA, mB, mC] = [modelFor(track, anchor, rules), modelFor(exit, anchor, rules), modelFor(track, exit, rules)];
  const same = logEquicorrelatedCopula([normalScore(cos.a, mA.same), normalScore(cos.b, mB.same), normalScore(cos.c, mC.same)], r);
  const lookAlike = logEquicorrelatedCopula(linked ? [normalScore(cos.a, mA.other), normalScore(cos.c, mC.other)] : [normalScore(cos.a, mA.other), normalScore(cos.b, mB.other)], r);
  return same - lookAlike;
}

/** Owners less likely than this are left out (their share of a candidate's evidence is negligible). */
const OWNER_FLOOR = 1e-5;

/**
 * Sparse posterior over visitors that an unlinked leaving track is theirs: its evidence against every entering
 * track that could be its (time only: the visitors closed so far are not excluded, so the posterior is a function
 * of the sightings alone), normalised with the "never seen entering" share. Entries below OWNER_FLOOR are dropped. The
 * appearance is weighted by `secondSampleWeight`: used for another track of the person, it is a second sample.
 */
export function exitOwners(exit: Sighting, anchors: readonly Sighting[], similarity: Similarity, rules: IdentityRules): [string, number][] {
  const w = rules.secondSampleWeight;
  const best = new Map<string, number>();
  let mass = 0;
  const priors = new Map<string, number>();
  for (const a of anchors) {
    if (a.isStaff || !feasible(exit, a, rules)) continue;
    const prior = Math.exp(transitLogPrior(exit.firstMs - a.enteredMs!, rules.transitMedianMs, rules.transitSigma));
    priors.set(a.visitorId, Math.max(priors.get(a.visitorId) ?? 0, prior));
    const cos = similarity(exit, a);
    if (cos < rules.minSimilarity) continue;
    const e = w * appearanceLlr(cos, modelFor(exit, a, rules)) + Math.log(prior);
    best.set(a.visitorId, Math.max(best.get(a.visitorId) ?? -Infinity, e));
  }
  for (const p of priors.values()) mass += p;
  let z = rules.unseenPrior * mass;
  for (const e of best.values()) z += Math.exp(e);
  const out: [string, number][] = [];
  for (const [v, e] of best) if (Math.exp(e) / z >= OWNER_FLOOR) out.push([v, Math.exp(e) / z]);
  return out.sort((x, y) => cmp(x[0], y[0]));
}

/**
 * A leaving track: the entrance camera saw it go out without having seen it come in (the tracker lost the person in
 * between). Its link closes the visitor. Other entrance-camera tracks that never crossed in are linked like any track.
 */
export const isExitTrack = (s: Sighting) => s.entrance && s.enteredMs === null && s.exitedMs !== null;

/** Tracks the resolver decides: everything but entering tracks (anchors) and staff. */
const isResolvable = (s: Sighting) => (!s.entrance || s.enteredMs === null) && !s.isStaff;

/** The one-link slot a track takes: per visitor and camera, leaving separate from being seen there. */
const slotOf = (t: Sighting) => (isExitTrack(t) ? `${t.cameraId}#leaving` : t.cameraId);

/** `taken` holds `${entranceVisitorId}|${cameraId}` of links made earlier: one track per visitor and camera. */
export const takenKey = (entranceVisitorId: string, cameraId: string) => `${entranceVisitorId}|${cameraId}`;

/** The leaving tracks not linked to anybody, with the posterior of their owners (`exitOwners`). */
export interface UnlinkedExits {
  tracks: readonly Sighting[];
  ownersOf: (exit: Sighting) => readonly (readonly [string, number])[];
  /** Tracks of other cameras linked to each visitor so far, by entrance visitor id (they weigh leaving tracks). */
  seen?: ReadonlyMap<string, readonly Sighting[]>;
}

/**
 * Decides one batch of tracks of ONE camera against the store's entrance sightings (global assignment with
 * abstention). `exits` holds the leaving track linked to each visitor so far, which is everything seen going out
 * up to `untilMs` (default: the batch's newest sighting). Deterministic: rows and columns are ordered by id, ties
 * broken by order.
 */
export function resolveBatch(
  tracks: readonly Sighting[],
  anchors: readonly Sighting[],
  taken: ReadonlySet<string>,
  similarity: Similarity,
  rules: IdentityRules,
  exits?: ReadonlyMap<string, Sighting>,
  untilMs: number = tracks.reduce((m, t) => Math.max(m, t.lastMs), -Infinity),
  unlinkedExits?: UnlinkedExits,
): Decision[] {
  const rows = [...tracks].sort((a, b) => cmp(a.key, b.key));
  // Columns are visitors; a visitor with several entrance tracks (re-entry) counts by its best feasible one.
  const cols = new Map<string, Sighting[]>();
  for (const a of anchors) {
    if (a.isStaff || a.enteredMs === null) continue;
    const list = cols.get(a.visitorId) ?? [];
    list.push(a);
    cols.set(a.visitorId, list);
  }
  const colIds = [...cols.keys()].sort(cmp);
  const colIndex = new Map(colIds.map((v, j) => [v, j]));
  // Per row: evidence of every column (null = impossible or below the floor), and the prior mass of the
  // physically possible visitors (the "never seen entering" hypothesis is a share of it).
  const priorMass = rows.map(() => 0);
  const ev: (number | null)[][] = rows.map((t, i) => {
    const soft = softExits(t, untilMs, unlinkedExits, colIndex, similarity, rules);
    return colIds.map((v, j) => {
      if (taken.has(takenKey(v, slotOf(t)))) return null;
      let best: number | null = null;
      let prior = 0;
      for (const a of cols.get(v)!) {
        if (!feasible(t, a, rules, exits)) continue;
        prior = Math.max(prior, Math.exp(transitLogPrior(t.firstMs - a.enteredMs!, rules.transitMedianMs, rules.transitSigma)));
        const e = evidence(t, a, similarity, rules);
        if (e !== null) best = Math.max(best ?? -Infinity, e + leavingEvidence(t, a, exits?.get(v), untilMs, similarity, rules, soft?.[j]) + seenEvidence(t, a, unlinkedExits?.seen?.get(v), similarity, rules));
      }
      priorMass[i]! += prior;
      return best;
    });
  });
  // Only columns some row could take matter to the optimum (exact pruning): a pair is worth taking when its
  // evidence is positive (abstaining is worth 0).
  const live = colIds.map((_, j) => j).filter((j) => ev.some((r) => r[j] !== null && r[j]! > 0));
  const weights: WeightMatrix = ev.map((r) => live.map((j) => r[j] ?? null));
  const opt = maxWeightMatching(weights, live.length);

  return rows.map((t, i) => {
    const row = ev[i]!;
    const base = { key: t.key, visitorId: t.visitorId, cameraId: t.cameraId };
    if (priorMass[i] === 0) return { kind: 'abstain', ...base, reason: 'no-candidate', best: null, posterior: null, final: true };
    const jl = opt.colOf[i]!;
    const finite = row.filter((x): x is number => x !== null);
    const best = finite.length ? Math.max(...finite) : null;
    if (jl < 0) return { kind: 'abstain', ...base, reason: 'below-threshold', best, posterior: null, final: true };
    const chosen = row[live[jl]!]!;
    // Posterior of the chosen visitor against every other possible visitor and "never seen entering", given
    // the rest of the assignment: visitors the batch gives to its other tracks are not rivals here.
    const others = new Set(opt.colOf.filter((j, r) => r !== i && j >= 0).map((j) => live[j]!));
    const rivals = row.filter((x, j): x is number => x !== null && !others.has(j));
    const posterior = 1 / (rivals.reduce((a, x) => a + Math.exp(x - chosen), 0) + (rules.unseenPrior * priorMass[i]!) / Math.exp(chosen));
    if (posterior < (isExitTrack(t) ? rules.exitMinPosterior : rules.minPosterior)) return { kind: 'abstain', ...base, reason: 'ambiguous', best: chosen, posterior, final: true };
    return { kind: 'link', ...base, entranceVisitorId: colIds[live[jl]!]!, score: posterior, posterior, atMs: t.lastMs };
  });
}

/**
 * Evidence (nats) for a leaving track from the tracks of other cameras already linked to the candidate visitor
 * (the till, typically): whether it looks like them and went out when their person would, weighed jointly with the
 * entering track as in `leavingEvidence`. A link is only as sure as the posterior it needed (`minPosterior`, the
 * same for links of this round and earlier ones, which are stored without theirs): a wrong link says nothing either
 * way. A visitor still seen elsewhere after the exit did not go out through it. 0 for other tracks.
 */
export function seenEvidence(exit: Sighting, anchor: Sighting, seen: readonly Sighting[] | undefined, similarity: Similarity, rules: IdentityRules): number {
  if (!seen || !isExitTrack(exit) || !rules.exitsWeighSeen) return 0;
  let e = 0;
  const out = exitTimeOf(exit);
  const p = rules.minPosterior;
  for (const t of seen) {
    // A track of an earlier visit (the visitor came back since) is not this visit's evidence.
    if (anchor.enteredMs !== null && t.firstMs < anchor.enteredMs) continue;
    let ratio = 0;
    if (t.lastMs <= out) {
      const c = similarity(t, exit);
      const views = rules.viewCorrelation > 0 ? viewsCorrection(exit, anchor, t, { a: similarity(exit, anchor), b: similarity(t, anchor), c }, rules, true) : 0;
      ratio = exitRatio(t, exit, similarity, rules, rules.secondSampleWeight) * Math.exp(views);
    }
    e += Math.log(p * ratio + (1 - p));
  }
  return e;
}

/**
 * The soft exits of one track, per column (visitor index): the leaving tracks not linked to anybody that went out
 * after the track ended, by `untilMs`, with P(the exit is the visitor's) and its ratio, and Σ P.
 */
function softExits(track: Sighting, untilMs: number, unlinked: UnlinkedExits | undefined, colIndex: ReadonlyMap<string, number>, similarity: Similarity, rules: IdentityRules): SoftExits[] | null {
  if (!unlinked || isExitTrack(track)) return null;
  const out: SoftExits[] = Array.from({ length: colIndex.size }, () => ({ terms: [], mass: 0 }));
  for (const x of unlinked.tracks) {
    const at = exitTimeOf(x);
    if (at < track.lastMs || at > untilMs) continue;
    // Both the track against the exit and (in exitOwners) the exit against the entering track may be discounted:
    // when the exit is the candidate's own, the first is a second look at the candidate; when it is the track's
    // person's, the second is — and a look-alike looks alike in every view.
    const r = exitRatio(track, x, similarity, rules, rules.secondSampleWeight);
    const c = similarity(track, x);
    for (const [v, p] of unlinked.ownersOf(x)) {
      const j = colIndex.get(v);
      if (j === undefined) continue;
      out[j]!.terms.push([x, p, r, c]);
      out[j]!.mass += p;
    }
  }
  return out;
}

export interface StoreIdentityState {
  sightings: readonly Sighting[];
  /** Keys of tracks already decided for good (linked, or abstained finally). */
  decided: ReadonlySet<string>;
  /** Keys of tracks whose first decision was ambiguous: they get one more (final) decision. */
  retry?: ReadonlySet<string>;
  /** Links made earlier (their visitor/camera pairs are taken). */
  links: readonly Pick<Link, 'entranceVisitorId' | 'cameraId' | 'key'>[];
}

/**
 * One resolution round of a store: decides every undecided non-entrance track whose batch is ripe (the store's
 * clock — its newest sighting — is `settleMs` past the batch end; or every batch when `flushAll`), batch by batch
 * in time order, each camera on its own; an ambiguous track is decided once more, finally, `reconsiderMs` later
 * (`exitReconsiderMs` for a leaving track).
 * When things happen is a function of the sightings' own times, never of when they arrived, so one hub and N
 * replicas serialising rounds per store reach the same links.
 */
/**
 * A cache of exitOwners the caller may keep between rounds of one store. It is a pure cache: an entry is used only
 * while the number of entering tracks before that exit is unchanged (signatures are never altered, only added), so
 * a round with it decides exactly as a round without it (replicas each keep their own).
 */
export type ExitOwnersMemo = Map<string, { anchorsBefore: number; owners: [string, number][] }>;

/** Strangers per linked pair in the correlation estimate: the visitors who entered last before the track. */
const STRANGERS_PER_PAIR = 40;
/** Links used by the estimate: the latest ones (the store's current crowd and light). */
const PAIRS_FOR_ESTIMATE = 200;

/**
 * The view correlation a round uses: `rules.viewCorrelation` until `estimateCorrelationAfter` links of
 * non-entrance tracks exist, then the look-alike correlation measured on them plus two standard errors (a
 * pessimistic reading: an underestimate would let look-alikes through).
 */
export function roundViewCorrelation(state: StoreIdentityState, similarity: Similarity, rules: IdentityRules): number {
  if (rules.estimateCorrelationAfter <= 0) return rules.viewCorrelation;
  const byKey = new Map(state.sightings.map((s) => [s.key, s]));
  const entering = state.sightings.filter((s) => s.entrance && s.enteredMs !== null && !s.isStaff).sort((a, b) => a.enteredMs! - b.enteredMs! || cmp(a.key, b.key));
  const anchorOf = new Map<string, Sighting>();
  for (const a of entering) anchorOf.set(a.visitorId, a);
  const linked = state.links
    .map((l) => ({ t: byKey.get(l.key), a: anchorOf.get(l.entranceVisitorId) }))
    .filter((p): p is { t: Sighting; a: Sighting } => !!p.t && !!p.a && !p.t.entrance)
    .sort((x, y) => y.t.lastMs - x.t.lastMs || cmp(x.t.key, y.t.key))
    .slice(0, PAIRS_FOR_ESTIMATE);
  if (linked.length < rules.estimateCorrelationAfter) return rules.viewCorrelation;
  const pairs: LinkedPair[] = linked.map(({ t, a }) => {
    let hi = entering.length;
    while (hi > 0 && entering[hi - 1]!.enteredMs! > t.firstMs) hi--;
    const others = entering.slice(Math.max(0, hi - STRANGERS_PER_PAIR - 1), hi).filter((u) => u.visitorId !== a.visitorId).slice(-STRANGERS_PER_PAIR);
    return { trackVsOthers: others.map((u) => similarity(t, u)), enteringVsOthers: others.map((u) => similarity(a, u)) };
  });
  const e = estimateLookAlikeCorrelation(pairs, rules.appearance);
  if (e.r === null || e.se === null || e.pairs < rules.estimateCorrelationAfter) return rules.viewCorrelation;
  return Math.max(0, Math.min(0.9, e.r + 2 * e.se));
}

export function resolveRound(state: StoreIdentityState, similarity: Similarity, given: IdentityRules, opts: { flushAll?: boolean; memo?: ExitOwnersMemo } = {}): Decision[] {
  const rules = given.estimateCorrelationAfter > 0 ? { ...given, viewCorrelation: roundViewCorrelation(state, similarity, given) } : given;
  const clock = state.sightings.reduce((m, s) => Math.max(m, s.lastMs), -Infinity);
  const anchors = state.sightings.filter((s) => s.entrance && s.enteredMs !== null && !s.isStaff);
  const retry = state.retry ?? new Set<string>();
  // Exit tracks are linked too: a visitor linked to one has left, which narrows every later decision.
  const pending = state.sightings.filter((s) => isResolvable(s) && !state.decided.has(s.key));
  // Agenda of batch decisions: [time it is due, second chance?, camera] → tracks.
  const agenda = new Map<string, { at: number; final: boolean; tracks: Sighting[] }>();
  const schedule = (t: Sighting, second: boolean) => {
    const b = Math.floor(t.lastMs / rules.bucketMs);
    const wait = isExitTrack(t) ? 0 : rules.exitWaitMs;
    const at = (b + 1) * rules.bucketMs + rules.settleMs + wait + (second ? (isExitTrack(t) ? rules.exitReconsiderMs : rules.reconsiderMs) : 0);
    if (!opts.flushAll && at > clock) return;
    const id = `${String(at).padStart(16, '0')}|${second ? 0 : 1}|${t.cameraId}`;
    const e = agenda.get(id) ?? { at, final: second || rules.reconsiderMs <= 0, tracks: [] };
    e.tracks.push(t);
    agenda.set(id, e);
  };
  for (const t of pending) schedule(t, retry.has(t.key));
  const byKey = new Map(state.sightings.map((s) => [s.key, s]));
  const slotOfLink = (l: { key: string; cameraId: string }) => (byKey.has(l.key) ? slotOf(byKey.get(l.key)!) : l.cameraId);
  const taken = new Set(state.links.map((l) => takenKey(l.entranceVisitorId, slotOfLink(l))));
  const exits = new Map<string, Sighting>();
  const linkedExit = new Set<string>();
  const closeIfExit = (key: string, entranceVisitorId: string) => {
    const s = byKey.get(key);
    if (s && isExitTrack(s)) (exits.set(entranceVisitorId, s), linkedExit.add(s.key));
  };
  // Tracks of other cameras linked to each visitor: a leaving track is weighed against them (seenEvidence). Not
  // leaving tracks (an earlier visit's exit says nothing of this one's), and in key order, so that every replica
  // sums the same terms in the same order whatever order it read the links in.
  const seen = new Map<string, Sighting[]>();
  const noteSeen = (key: string, entranceVisitorId: string) => {
    const s = byKey.get(key);
    if (!s || s.entrance || isExitTrack(s)) return;
    const l = seen.get(entranceVisitorId) ?? [];
    l.push(s);
    l.sort((a, b) => cmp(a.key, b.key));
    seen.set(entranceVisitorId, l);
  };
  for (const l of state.links) (closeIfExit(l.key, l.entranceVisitorId), noteSeen(l.key, l.entranceVisitorId));
  // Leaving tracks nobody is linked to yet, by key (deterministic sums), with their owners' posterior, memoised.
  const sortedAnchors = [...anchors].sort((a, b) => cmp(a.key, b.key));
  const leaving = state.sightings.filter((s) => isExitTrack(s) && !s.isStaff).sort((a, b) => cmp(a.key, b.key));
  const owners: ExitOwnersMemo = opts.memo ?? new Map();
  const entered = anchors.map((a) => a.enteredMs!).sort((a, b) => a - b);
  const countBefore = (t: number) => {
    let [lo, hi] = [0, entered.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entered[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const unlinkedExits: UnlinkedExits = {
    get tracks() {
      return leaving.filter((x) => !linkedExit.has(x.key));
    },
    ownersOf(x: Sighting) {
      const n = countBefore(x.firstMs);
      let o = owners.get(x.key);
      if (!o || o.anchorsBefore !== n) owners.set(x.key, (o = { anchorsBefore: n, owners: exitOwners(x, sortedAnchors, similarity, rules) }));
      return o.owners;
    },
    seen,
  };
  const out: Decision[] = [];
  while (agenda.size > 0) {
    const id = [...agenda.keys()].sort(cmp)[0]!;
    const batch = agenda.get(id)!;
    agenda.delete(id);
    // Exits are linked once their own batch settles: by `at`, those that went out before `at − settleMs` are known.
    const until = Math.min(batch.at - rules.settleMs, clock);
    for (const d of resolveBatch(batch.tracks, anchors, taken, similarity, rules, exits, until, rules.softExits ? unlinkedExits : undefined)) {
      if (d.kind === 'link') {
        taken.add(takenKey(d.entranceVisitorId, slotOf(byKey.get(d.key)!)));
        closeIfExit(d.key, d.entranceVisitorId);
        noteSeen(d.key, d.entranceVisitorId);
        out.push(d);
      } else if (d.reason === 'ambiguous' && !batch.final) {
        out.push({ ...d, final: false });
        schedule(byKey.get(d.key)!, true);
      } else out.push(d);
    }
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
