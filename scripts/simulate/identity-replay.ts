/**
 * Replays a simulated multi-camera store through the hub's resolution core as the hub runs it: sightings arrive
 * in the order their tracks end, and a round runs whenever the store's clock crosses a batch boundary. Scores
 * the links against the simulator's truth.
 */
import { isExitTrack, resolveRound, type Decision, type ExitOwnersMemo, type IdentityRules, type Link, type Sighting } from '../../hub/identity/resolve.js';
import { TILL_CAMERA, type IdentitySim } from './identity.js';

export interface IdentityScore {
  /** Scored till-camera customers (after the warm-up hour). */
  customers: number;
  linkedRight: number;
  linkedWrong: number;
  unlinked: number;
  /** Share of customers whose true entrance visitor has the best similarity among the physically possible ones. */
  rank1Ceiling: number;
  /** Conversion of the scored window: truth, identity-only (entrance visitors linked to a till track), and
   * the identity-free rule (distinct till customers, a linked pair counted once). */
  conversion: { truth: number; identityOnly: number; identityFree: number };
  /** Leaving tracks of the entrance camera (scored window): linked to the right entrance visitor, to a wrong one. */
  exits: { total: number; right: number; wrong: number };
  /**
   * Till customers by how they left (truth): out within 2.5 min of the till and seen by the door camera, later
   * (kept browsing) and seen, or not seen leaving; never seen entering apart. Right / wrong links of each.
   */
  byLeaving: Record<'prompt' | 'late' | 'missed' | 'unseenEntry', { n: number; right: number; wrong: number }>;
  rounds: number;
  roundMsMean: number;
  roundMsMax: number;
}

/**
 * `oracleExits`: a bound, not a rule — every leaving track is linked to its true visitor as soon as it is seen (as if
 * exits were always recognised), to measure what the leaving evidence could give at most.
 */
export function replayIdentity(sim: IdentitySim, rules: IdentityRules, warmUpMs = 3_600_000, opts: { oracleExits?: boolean } = {}): IdentityScore {
  const seen: Sighting[] = [];
  const decided = new Set<string>();
  const retry = new Set<string>();
  const links: Link[] = [];
  const decisions: Decision[] = [];
  const memo: ExitOwnersMemo = new Map();
  let rounds = 0;
  let roundMs = 0;
  let roundMsMax = 0;
  const round = (flushAll: boolean) => {
    const t0 = performance.now();
    for (const d of resolveRound({ sightings: seen, decided, retry, links }, sim.similarity, rules, { flushAll, memo })) {
      if (d.kind === 'abstain' && !d.final) {
        retry.add(d.key);
        continue;
      }
      retry.delete(d.key);
      decided.add(d.key);
      decisions.push(d);
      if (d.kind === 'link') links.push(d);
    }
    roundMs += performance.now() - t0;
    roundMsMax = Math.max(roundMsMax, performance.now() - t0);
    rounds++;
  };
  let lastBucket = -Infinity;
  const enteringOf = new Map(sim.tracks.filter((t) => t.entrance && t.enteredMs !== null).map((t) => [t.person, t.visitorId]));
  for (const t of sim.tracks) {
    seen.push(t);
    const owner = opts.oracleExits && isExitTrack(t) ? enteringOf.get(t.person) : undefined;
    if (owner !== undefined) {
      decided.add(t.key);
      links.push({ key: t.key, visitorId: t.visitorId, cameraId: t.cameraId, entranceVisitorId: owner, score: 1, posterior: 1, atMs: t.lastMs });
    }
    const b = Math.floor(t.lastMs / rules.bucketMs);
    if (b > lastBucket) {
      lastBucket = b;
      round(false);
    }
  }
  round(true);

  const byKey = new Map(sim.tracks.map((t) => [t.key, t]));
  const linkOf = new Map(links.map((l) => [l.key, l]));
  const scored = sim.tracks.filter((t) => t.scored && t.cameraId === TILL_CAMERA && !t.isStaff);
  let right = 0;
  let wrong = 0;
  let ceiling = 0;
  const byLeaving: IdentityScore['byLeaving'] = { prompt: { n: 0, right: 0, wrong: 0 }, late: { n: 0, right: 0, wrong: 0 }, missed: { n: 0, right: 0, wrong: 0 }, unseenEntry: { n: 0, right: 0, wrong: 0 } };
  const exitSeen = new Set(sim.tracks.filter(isExitTrack).map((t) => t.person));
  for (const t of scored) {
    const l = linkOf.get(t.key);
    const want = sim.truth.get(t.visitorId) ?? null;
    if (l) (l.entranceVisitorId === want ? right++ : wrong++);
    const person = byKey.get(t.key)!.person;
    const kind = want === null ? 'unseenEntry' : !exitSeen.has(person) ? 'missed' : sim.leftAt.get(person)! <= t.lastMs + 150_000 ? 'prompt' : 'late';
    byLeaving[kind].n++;
    if (l) byLeaving[kind][l.entranceVisitorId === want ? 'right' : 'wrong']++;
    // Ceiling: argmax over the people truly inside at the time (perfect knowledge of exits).
    const inside = sim.tracks.filter((a) => a.entrance && a.enteredMs !== null && a.enteredMs + rules.minTransitMs <= t.firstMs && (sim.leftAt.get(a.person) ?? Infinity) > t.firstMs);
    const best = inside.reduce<{ s: number; a: Sighting | null }>((m, a) => {
      const s = sim.similarity(t, a);
      return s > m.s ? { s, a } : m;
    }, { s: -Infinity, a: null });
    if (want !== null && best.a?.visitorId === want) ceiling++;
  }
  const entered = sim.tracks.filter((t) => t.entrance && t.enteredMs !== null && t.enteredMs >= warmUpMs && !t.isStaff);
  const enteredIds = new Set(entered.map((t) => t.visitorId));
  const trueBuyers = new Set(scored.map((t) => byKey.get(t.key)!.person)).size;
  const linkedBuyers = new Set(scored.map((t) => linkOf.get(t.key)?.entranceVisitorId).filter((v): v is string => !!v && enteredIds.has(v))).size;
  const canonical = new Set(scored.map((t) => linkOf.get(t.key)?.entranceVisitorId ?? t.visitorId)).size;
  const visitors = Math.max(1, enteredIds.size);
  const entryOf = new Map(sim.tracks.filter((t) => t.entrance && t.enteredMs !== null).map((t) => [t.person, t.visitorId]));
  const exitTracks = sim.tracks.filter((t) => isExitTrack(t) && t.firstMs >= warmUpMs);
  const exitsRight = exitTracks.filter((t) => linkOf.has(t.key) && linkOf.get(t.key)!.entranceVisitorId === entryOf.get(t.person)).length;
  const exitsLinked = exitTracks.filter((t) => linkOf.has(t.key)).length;
  return {
    customers: scored.length,
    linkedRight: right,
    linkedWrong: wrong,
    unlinked: scored.length - right - wrong,
    rank1Ceiling: scored.length ? ceiling / scored.length : 0,
    conversion: { truth: trueBuyers / visitors, identityOnly: linkedBuyers / visitors, identityFree: canonical / visitors },
    exits: { total: exitTracks.length, right: exitsRight, wrong: exitsLinked - exitsRight },
    byLeaving,
    rounds,
    roundMsMean: rounds ? roundMs / rounds : 0,
    roundMsMax,
  };
}
