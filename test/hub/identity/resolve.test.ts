import { expect } from 'chai';
import fc from 'fast-check';
import { appearanceLlr, DEFAULT_APPEARANCE, normalScore, type CosineDist } from '../../../hub/identity/evidence.js';
import { DEFAULT_RULES, exitOwners, feasible, resolveBatch, resolveRound, seenEvidence, viewsCorrection, type Decision, type ExitOwnersMemo, type Sighting } from '../../../hub/identity/resolve.js';

const MIN = 60_000;
const T0 = 1_800_000_000_000;

/** Factory with partial overrides: an entrance visitor (crossed in at `enteredMs`). */
const anchor = (visitorId: string, enteredMs: number, o: Partial<Sighting> = {}): Sighting => ({
  key: `S_${visitorId}`, visitorId, cameraId: 'CAM_DOOR', entrance: true, enteredMs, exitedMs: null, firstMs: enteredMs - 2000, lastMs: enteredMs + 3000, isStaff: false, ...o,
});
/** A till-camera track seen from `firstMs` for two minutes. */
const till = (visitorId: string, firstMs: number, o: Partial<Sighting> = {}): Sighting => ({
  key: `S_${visitorId}`, visitorId, cameraId: 'CAM_TILL', entrance: false, enteredMs: null, exitedMs: null, firstMs, lastMs: firstMs + 2 * MIN, isStaff: false, ...o,
});
/** Similarity from a table keyed `track|anchor` visitor ids; anything else is a typical stranger (0.5). */
const table = (t: Record<string, number>) => (a: Sighting, b: Sighting) => t[`${a.visitorId}|${b.visitorId}`] ?? t[`${b.visitorId}|${a.visitorId}`] ?? 0.5;
const none = new Set<string>();
const kinds = (ds: Decision[]) => ds.map((d) => (d.kind === 'link' ? `${d.visitorId}→${d.entranceVisitorId}` : `${d.visitorId}:${d.reason}`));

describe('hub/identity/resolve', () => {
  const A = anchor('A', T0);
  const B = anchor('B', T0 + MIN);

  it('links a till track to the entrance visitor who clearly matches it', () => {
    const d = resolveBatch([till('T1', T0 + 10 * MIN)], [A, B], none, table({ 'T1|A': 0.84, 'T1|B': 0.5 }), DEFAULT_RULES);
    expect(kinds(d)).to.deep.equal(['T1→A']);
    expect(d[0]!.kind === 'link' && d[0]!.posterior).to.be.greaterThan(DEFAULT_RULES.minPosterior);
  });

  it('abstains when two visitors match about as well (ambiguous)', () => {
    const d = resolveBatch([till('T1', T0 + 10 * MIN)], [A, B], none, table({ 'T1|A': 0.76, 'T1|B': 0.74 }), DEFAULT_RULES);
    expect(kinds(d)).to.deep.equal(['T1:ambiguous']);
  });

  it('abstains when nobody matches (below threshold) and when nobody could be there (no candidate)', () => {
    expect(kinds(resolveBatch([till('T1', T0 + 10 * MIN)], [A], none, table({}), DEFAULT_RULES))).to.deep.equal(['T1:below-threshold']);
    // Entered after the till track began; entered longer ago than the longest visit; left before it began.
    const late = anchor('L', T0 + 20 * MIN);
    const old = anchor('O', T0 - DEFAULT_RULES.maxStayMs - MIN);
    const gone = anchor('G', T0, { exitedMs: T0 + 5 * MIN });
    const sim = table({ 'T1|L': 0.9, 'T1|O': 0.9, 'T1|G': 0.9 });
    expect(kinds(resolveBatch([till('T1', T0 + 10 * MIN)], [late, old, gone], none, sim, DEFAULT_RULES))).to.deep.equal(['T1:no-candidate']);
  });

  it('never links staff, nor to staff', () => {
    const staffAnchor = anchor('S', T0, { isStaff: true });
    expect(kinds(resolveBatch([till('T1', T0 + 10 * MIN)], [staffAnchor], none, table({ 'T1|S': 0.95 }), DEFAULT_RULES))).to.deep.equal(['T1:no-candidate']);
    const round = resolveRound({ sightings: [A, till('T9', T0 + 10 * MIN, { isStaff: true })], decided: none, links: [] }, table({ 'T9|A': 0.95 }), DEFAULT_RULES, { flushAll: true });
    expect(round).to.deep.equal([]);
  });

  it('decides the batch jointly: a visitor taken by one track is not given to another', () => {
    // Greedy per track would give both to A; jointly T2 goes to B, which T2 matches well.
    const sim = table({ 'T1|A': 0.86, 'T1|B': 0.5, 'T2|A': 0.84, 'T2|B': 0.83 });
    const d = resolveBatch([till('T1', T0 + 10 * MIN), till('T2', T0 + 10 * MIN)], [A, B], none, sim, DEFAULT_RULES);
    expect(kinds(d)).to.deep.equal(['T1→A', 'T2→B']);
  });

  it('a visitor already linked on this camera is not a candidate again; leaving tracks close visitors', () => {
    const sim = table({ 'T1|A': 0.85, 'T2|A': 0.85, 'X1|A': 0.95 });
    const taken = resolveBatch([till('T2', T0 + 30 * MIN)], [A], new Set(['A|CAM_TILL']), sim, DEFAULT_RULES);
    expect(kinds(taken)).to.deep.equal(['T2:no-candidate']);
    // A leaves (an exit track of the door camera linked to A), then a till track appears: A is not a candidate.
    const exit: Sighting = { ...anchor('X1', T0), enteredMs: null, firstMs: T0 + 15 * MIN, lastMs: T0 + 15 * MIN + 3000, exitedMs: T0 + 15 * MIN + 3000 };
    const r = resolveRound({ sightings: [A, exit, till('T1', T0 + 20 * MIN)], decided: none, links: [] }, sim, DEFAULT_RULES, { flushAll: true });
    expect(kinds(r)).to.deep.equal(['X1→A', 'T1:no-candidate']);
  });

  it('an entrance-camera track that never crossed a door (the counter in view) is linked like a till track and closes nobody', () => {
    const fragment: Sighting = { ...anchor('F', T0), enteredMs: null, firstMs: T0 + 10 * MIN, lastMs: T0 + 12 * MIN };
    const sim = table({ 'F|A': 0.95, 'T1|A': 0.84 });
    const r = resolveRound({ sightings: [A, fragment, till('T1', T0 + 20 * MIN)], decided: none, links: [] }, sim, DEFAULT_RULES, { flushAll: true });
    expect(kinds(r)).to.deep.equal(['F→A', 'T1→A']);
  });

  it('waits for a batch to settle, and a till track for the exits after it, before deciding it, unless flushed', () => {
    const t = till('T1', T0 + 10 * MIN);
    const sim = table({ 'T1|A': 0.85 });
    expect(resolveRound({ sightings: [A, t], decided: none, links: [] }, sim, DEFAULT_RULES)).to.deep.equal([]);
    const settled = anchor('Z', t.lastMs + DEFAULT_RULES.bucketMs + DEFAULT_RULES.settleMs + 1);
    expect(resolveRound({ sightings: [A, t, settled], decided: none, links: [] }, sim, DEFAULT_RULES)).to.deep.equal([]);
    const later = anchor('Z', t.lastMs + DEFAULT_RULES.bucketMs + DEFAULT_RULES.settleMs + DEFAULT_RULES.exitWaitMs + 1);
    expect(kinds(resolveRound({ sightings: [A, t, later], decided: none, links: [] }, sim, DEFAULT_RULES))).to.deep.equal(['T1→A']);
    // A leaving track does not wait for exits: it is decided once its batch settles.
    const x: Sighting = { ...anchor('X1', 0), enteredMs: null, firstMs: T0 + 30 * MIN, lastMs: T0 + 30 * MIN + 3000, exitedMs: T0 + 30 * MIN + 3000 };
    const atSettle = anchor('Y', x.lastMs + DEFAULT_RULES.bucketMs + DEFAULT_RULES.settleMs + 1);
    expect(kinds(resolveRound({ sightings: [A, x, atSettle], decided: none, links: [] }, table({ 'X1|A': 0.95 }), DEFAULT_RULES))).to.deep.equal(['X1→A']);
    expect(kinds(resolveRound({ sightings: [A, t], decided: new Set(['S_T1']), links: [] }, sim, DEFAULT_RULES, { flushAll: true }))).to.deep.equal([]);
  });

  it('reconsiders an ambiguous track once its rival has been linked to a track of its own', () => {
    // T1 looks like A and B alike; B's own till visit comes later and is clear, so T1's second decision is A.
    const sim = table({ 'T1|A': 0.8, 'T1|B': 0.78, 'T2|B': 0.86, 'T2|A': 0.45 });
    const t1 = till('T1', T0 + 10 * MIN);
    const t2 = till('T2', T0 + 14 * MIN);
    const first = resolveRound({ sightings: [A, B, t1, anchor('Z', T0 + 20 * MIN)], decided: none, links: [] }, sim, DEFAULT_RULES);
    expect(first.map((d) => (d.kind === 'abstain' ? [d.reason, d.final] : d.kind))).to.deep.equal([['ambiguous', false]]);
    const later = resolveRound({ sightings: [A, B, t1, t2], decided: none, retry: new Set([t1.key]), links: [] }, sim, DEFAULT_RULES, { flushAll: true });
    expect(kinds(later)).to.deep.equal(['T2→B', 'T1→A']);
  });

  describe('the leaving track as evidence', () => {
    /** A leaving track of the door camera going out at `atMs`. */
    const leaving = (visitorId: string, atMs: number): Sighting => ({ ...anchor(visitorId, 0), enteredMs: null, firstMs: atMs - 3000, lastMs: atMs, exitedMs: atMs });
    const OFF = { ...DEFAULT_RULES, secondSampleWeight: 0, leaving: null, softExits: false };
    // T1 looks like A and B about equally; A's leaving track, linked to A, went out a minute after T1 ended.
    const t1 = till('T1', T0 + 10 * MIN);
    const xa = leaving('XA', t1.lastMs + MIN);
    const entering = { 'T1|A': 0.76, 'T1|B': 0.75, 'XA|A': 0.93, 'XA|B': 0.5 };

    it('a second sample (the till track against the linked leaving track) and its timing settle an ambiguous pair', () => {
      const exits = new Map([['A', xa]]);
      const until = xa.lastMs + MIN;
      const alone = resolveBatch([t1], [A, B], none, table(entering), OFF, exits, until);
      expect(kinds(alone)).to.deep.equal(['T1:ambiguous']);
      const both = resolveBatch([t1], [A, B], none, table({ ...entering, 'T1|XA': 0.78 }), DEFAULT_RULES, exits, until);
      expect(kinds(both)).to.deep.equal(['T1→A']);
      // The same leaving track looking like a stranger to T1 counts against A (here the only rival, B, is left).
      const unlike = resolveBatch([t1], [A, B], none, table({ ...entering, 'T1|XA': 0.45 }), DEFAULT_RULES, exits, until);
      expect(kinds(unlike)).to.deep.equal(['T1→B']);
    });

    it('the second sample is discounted by secondSampleWeight', () => {
      const exits = new Map([['A', xa]]);
      const p = (w: number) => resolveBatch([t1], [A, B], none, table({ ...entering, 'T1|XA': 0.78 }), { ...DEFAULT_RULES, leaving: null, secondSampleWeight: w, minPosterior: 0.01 }, exits, xa.lastMs + MIN)[0]!;
      const [half, full] = [p(0.5), p(1)];
      expect(half.kind === 'link' && full.kind === 'link' && half.posterior < full.posterior).to.equal(true);
    });

    it('an exit soon after the till counts for a candidate, one long after against it, one during the till visit rules it out', () => {
      const late = leaving('XB', t1.lastMs + 60 * MIN);
      const sim = table({ 'T1|A': 0.76, 'T1|B': 0.76, 'T1|XA': 0.6, 'T1|XB': 0.6 });
      const noAppearance = { ...DEFAULT_RULES, secondSampleWeight: 0 };
      const d = resolveBatch([t1], [A, B], none, sim, noAppearance, new Map([['A', xa], ['B', late]]), late.lastMs);
      expect(kinds(d)).to.deep.equal(['T1→A']);
      const swapped = resolveBatch([t1], [A, B], none, sim, noAppearance, new Map([['B', xa], ['A', late]]), late.lastMs);
      expect(kinds(swapped)).to.deep.equal(['T1→B']);
      // B went out while T1 was still at the till: not a candidate at all.
      const during = leaving('XD', t1.lastMs - 30_000);
      expect(feasible(t1, B, DEFAULT_RULES, new Map([['B', during]]))).to.equal(false);
      expect(feasible(t1, B, DEFAULT_RULES, new Map([['B', xa]]))).to.equal(true);
    });

    it('a leaving track linked to nobody still counts, weighted by the posterior that it is each candidate\'s', () => {
      const sim = table({ ...entering, 'T1|XA': 0.8 });
      const anchors = [A, B];
      const soft = { tracks: [xa], ownersOf: (x: Sighting) => exitOwners(x, anchors, sim, DEFAULT_RULES) };
      const owners = new Map(soft.ownersOf(xa));
      expect(owners.get('A')!).to.be.greaterThan(0.9);
      expect(owners.get('B') ?? 0).to.be.lessThan(0.01);
      const until = xa.lastMs + MIN;
      expect(kinds(resolveBatch([t1], anchors, none, sim, DEFAULT_RULES, new Map(), until))).to.deep.equal(['T1:ambiguous']);
      expect(kinds(resolveBatch([t1], anchors, none, sim, DEFAULT_RULES, new Map(), until, soft))).to.deep.equal(['T1→A']);
      // An exit that went out after `until` is not known yet, and one before the till track ended is not its person's.
      expect(kinds(resolveBatch([t1], anchors, none, sim, DEFAULT_RULES, new Map(), xa.lastMs - 1, soft))).to.deep.equal(['T1:ambiguous']);
      const before = leaving('XA', t1.firstMs + 30_000);
      const early = { tracks: [before], ownersOf: (x: Sighting) => exitOwners(x, anchors, sim, DEFAULT_RULES) };
      expect(kinds(resolveBatch([t1], anchors, none, sim, DEFAULT_RULES, new Map(), until, early))).to.deep.equal(['T1:ambiguous']);
    });

    it('correlated views: the three pairwise ratios plus the correction are the joint likelihood ratio of the triple', () => {
      // Direct: the three cosines as one person's (normal scores of the same-person distributions, pairwise
      // correlation r) against the candidate's two cosines from one look-alike (correlated) and the third a stranger's.
      const { crossCamera: cross, sameCamera: same } = DEFAULT_APPEARANCE;
      const logMvn = (z: number[], r: number) => {
        const n = z.length;
        const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : r)));
        // Gaussian elimination for z'M⁻¹z and log det M.
        const a = m.map((row, i) => [...row, z[i]!]);
        let logDet = 0;
        for (let k = 0; k < n; k++) {
          logDet += Math.log(a[k]![k]!);
          for (let i = k + 1; i < n; i++) {
            const f = a[i]![k]! / a[k]![k]!;
            for (let j = k; j <= n; j++) a[i]![j]! -= f * a[k]![j]!;
          }
        }
        const y: number[] = [];
        for (let i = n - 1; i >= 0; i--) y[i] = (a[i]![n]! - a[i]!.slice(i + 1, n).reduce((acc, v, j) => acc + v * y[i + 1 + j]!, 0)) / a[i]![i]!;
        // z'M⁻¹z = Σ zᵢ yᵢ where M y = z (y from the triangular system is M⁻¹z).
        const quad = z.reduce((acc, zi, i) => acc + zi * y[i]!, 0);
        return -0.5 * logDet - 0.5 * quad - (n / 2) * Math.log(2 * Math.PI);
      };
      // A cosine's marginal log density is log φ(z) + log norm (the two-piece normal's constant), so the joint
      // density through the Gaussian copula is log φₙ(z) + Σ log norm.
      const norm = (d: CosineDist) => 2 / (((d.p50 - d.p5) + (d.p95 - d.p50)) / 1.6448536);
      const r = DEFAULT_RULES.viewCorrelation;
      const x = leaving('X', t1.lastMs + MIN);
      fc.assert(
        fc.property(fc.double({ min: 0.5, max: 0.85, noNaN: true }), fc.double({ min: 0.55, max: 0.95, noNaN: true }), fc.double({ min: 0.5, max: 0.85, noNaN: true }), (ca, cb, cc) => {
          const joint =
            logMvn([normalScore(ca, cross.same), normalScore(cb, same.same), normalScore(cc, cross.same)], r) + Math.log(norm(cross.same) * norm(same.same) * norm(cross.same)) -
            (logMvn([normalScore(ca, cross.other), normalScore(cb, same.other)], r) + logMvn([normalScore(cc, cross.other)], 0) + Math.log(norm(cross.other) * norm(same.other) * norm(cross.other)));
          const pairwise = appearanceLlr(ca, cross) + appearanceLlr(cb, same) + appearanceLlr(cc, cross);
          expect(pairwise + viewsCorrection(t1, A, x, { a: ca, b: cb, c: cc }, DEFAULT_RULES, false)).to.be.closeTo(joint, 1e-6);
        }),
      );
      expect(viewsCorrection(t1, A, x, { a: 0.7, b: 0.8, c: 0.7 }, { ...DEFAULT_RULES, viewCorrelation: 0 }, false)).to.equal(0);
    });

    it('in a round: the exit is linked when it settles, and the till track, decided after it, uses it', () => {
      // 0.85: with correlated views, A's two cosines with T1 (0.76, and its leaving track's) could also be one
      // look-alike's, so the leaving view must be clearly A's person.
      const sim = table({ ...entering, 'T1|XA': 0.85 });
      const off = resolveRound({ sightings: [A, B, t1, xa], decided: none, links: [] }, sim, OFF, { flushAll: true });
      expect(kinds(off.filter((d) => d.kind === 'link' || d.final))).to.deep.equal(['XA→A', 'T1:ambiguous']);
      const on = resolveRound({ sightings: [A, B, t1, xa], decided: none, links: [] }, sim, DEFAULT_RULES, { flushAll: true });
      expect(kinds(on)).to.deep.equal(['XA→A', 'T1→A']);
    });
  });

  describe('a leaving track against the tracks already linked to its candidates', () => {
    const leaving = (visitorId: string, atMs: number): Sighting => ({ ...anchor(visitorId, 0), enteredMs: null, firstMs: atMs - 3000, lastMs: atMs, exitedMs: atMs });
    // X looks like A and B alike from the door; A's till track T1, already linked to A, ended a minute before X went out.
    const t1 = till('T1', T0 + 10 * MIN);
    const x = leaving('X', t1.lastMs + MIN);
    const sim = table({ 'X|A': 0.86, 'X|B': 0.86, 'T1|A': 0.8, 'T1|X': 0.8 });
    const soft = (seen: Map<string, Sighting[]>) => ({ tracks: [], ownersOf: () => [], seen });

    it('looking like the till track just before it settles the exit; a till track seen after it rules its visitor out', () => {
      const seen = new Map([['A', [t1]]]);
      expect(kinds(resolveBatch([x], [A, B], none, sim, DEFAULT_RULES, new Map(), x.lastMs, soft(new Map())))).to.deep.equal(['X:ambiguous']);
      expect(kinds(resolveBatch([x], [A, B], none, sim, DEFAULT_RULES, new Map(), x.lastMs, soft(seen)))).to.deep.equal(['X→A']);
      expect(kinds(resolveBatch([x], [A, B], none, sim, { ...DEFAULT_RULES, exitsWeighSeen: false }, new Map(), x.lastMs, soft(seen)))).to.deep.equal(['X:ambiguous']);
      // Looking unlike A's till track counts against A.
      expect(seenEvidence(x, A, [t1], table({ 'X|A': 0.86, 'T1|A': 0.8, 'T1|X': 0.45 }), DEFAULT_RULES)).to.be.lessThan(0);
      // Still at the till after X went out: X is A's only if the link was wrong.
      const after = till('T1', x.lastMs - 30_000);
      expect(seenEvidence(x, A, [after], sim, DEFAULT_RULES)).to.be.closeTo(Math.log(1 - DEFAULT_RULES.minPosterior), 1e-12);
      // Only leaving tracks are weighed so.
      expect(seenEvidence(till('T9', x.lastMs + MIN), A, [t1], sim, DEFAULT_RULES)).to.equal(0);
      // A till track of an earlier visit (A came back since) says nothing of this visit's exit.
      const back = { ...A, enteredMs: t1.lastMs + 10_000 };
      expect(seenEvidence(x, back, [t1], table({ 'X|A': 0.86, 'T1|A': 0.8, 'T1|X': 0.45 }), DEFAULT_RULES)).to.equal(0);
    });

    it('in a round: an ambiguous exit is decided again once the till tracks before it are linked, sooner than a till track', () => {
      const state = { sightings: [A, B, t1, x], decided: new Set([t1.key]), retry: new Set([x.key]), links: [{ key: t1.key, cameraId: t1.cameraId, entranceVisitorId: 'A' }] };
      const due = (Math.floor(x.lastMs / DEFAULT_RULES.bucketMs) + 1) * DEFAULT_RULES.bucketMs + DEFAULT_RULES.settleMs + DEFAULT_RULES.exitReconsiderMs;
      expect(DEFAULT_RULES.exitReconsiderMs).to.be.lessThan(DEFAULT_RULES.reconsiderMs);
      expect(resolveRound({ ...state, sightings: [...state.sightings, anchor('Z', due - 5000)] }, sim, DEFAULT_RULES)).to.deep.equal([]);
      expect(kinds(resolveRound({ ...state, sightings: [...state.sightings, anchor('Z', due + 1000)] }, sim, DEFAULT_RULES))).to.deep.equal(['X→A']);
    });
  });

  describe('properties', () => {
    // A small store: entrance visitors, till tracks and exit tracks at random times, random similarities.
    const store = fc.record({
      entries: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }),
      tills: fc.array(fc.record({ at: fc.integer({ min: 0, max: 90 }), staff: fc.boolean() }), { minLength: 1, maxLength: 6 }),
      exits: fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 4 }),
      sims: fc.array(fc.double({ min: 0.3, max: 0.95, noNaN: true }), { minLength: 200, maxLength: 200 }),
    });
    const build = (s: { entries: number[]; tills: { at: number; staff: boolean }[]; exits: number[]; sims: number[] }) => {
      const sightings: Sighting[] = [
        ...s.entries.map((m, i) => anchor(`E${i}`, T0 + m * MIN)),
        ...s.tills.map((t, i) => till(`T${i}`, T0 + t.at * MIN, { isStaff: t.staff && i % 3 === 0 })),
        ...s.exits.map((m, i): Sighting => ({ ...anchor(`X${i}`, 0), enteredMs: null, firstMs: T0 + m * MIN, lastMs: T0 + m * MIN + 3000, exitedMs: T0 + m * MIN + 3000 })),
      ];
      const index = new Map(sightings.map((x, i) => [x.key, i]));
      const sim = (a: Sighting, b: Sighting) => s.sims[(index.get(a.key)! * 31 + index.get(b.key)! * 17) % 200]!;
      const symmetric = (a: Sighting, b: Sighting) => (a.key < b.key ? sim(a, b) : sim(b, a));
      return { sightings, sim: symmetric };
    };
    /** Feeds sightings in `order`, a round after each, then a flush: the hub's life in miniature. */
    const run = (sightings: Sighting[], sim: (a: Sighting, b: Sighting) => number, memo?: ExitOwnersMemo) => {
      const seen: Sighting[] = [];
      const decided = new Set<string>();
      const retry = new Set<string>();
      const links: { key: string; cameraId: string; entranceVisitorId: string }[] = [];
      const all: Decision[] = [];
      const apply = (ds: Decision[]) =>
        ds.forEach((d) => {
          if (d.kind === 'abstain' && !d.final) return void retry.add(d.key);
          retry.delete(d.key);
          decided.add(d.key);
          all.push(d);
          if (d.kind === 'link') links.push(d);
        });
      for (const x of sightings) (seen.push(x), apply(resolveRound({ sightings: seen, decided, retry, links }, sim, DEFAULT_RULES, { memo })));
      apply(resolveRound({ sightings: seen, decided, retry, links }, sim, DEFAULT_RULES, { flushAll: true, memo }));
      return all;
    };

    it('links only physically possible pairs, at most one track per visitor and camera, never staff', () => {
      fc.assert(
        fc.property(store, (s) => {
          const { sightings, sim } = build(s);
          const byVisitor = new Map(sightings.map((x) => [x.visitorId, x]));
          const byKey = new Map(sightings.map((x) => [x.key, x]));
          const ds = run([...sightings].sort((a, b) => a.lastMs - b.lastMs), sim);
          const seen = new Set<string>();
          for (const d of ds) {
            if (d.kind !== 'link') continue;
            const t = byKey.get(d.key)!;
            expect(t.isStaff).to.equal(false);
            expect(feasible(t, byVisitor.get(d.entranceVisitorId)!, DEFAULT_RULES)).to.equal(true);
            const k = `${d.entranceVisitorId}|${d.cameraId}`;
            expect(seen.has(k), k).to.equal(false);
            seen.add(k);
            expect(d.posterior).to.be.at.least(DEFAULT_RULES.minPosterior);
          }
          // Every non-staff till or exit track is decided for good exactly once.
          const undecidable = sightings.filter((x) => (!x.entrance || x.enteredMs === null) && !x.isStaff).map((x) => x.key).sort();
          expect(ds.map((d) => d.key).sort()).to.deep.equal(undecidable);
        }),
        { numRuns: 150 },
      );
    });

    it('the same links whatever order the signatures arrive in, as long as they arrive before their batch settles', () => {
      fc.assert(
        fc.property(store, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (s, noise) => {
          const { sightings, sim } = build(s);
          const inOrder = [...sightings].sort((a, b) => a.lastMs - b.lastMs);
          // Jitter within one batch (less than the settle time): a late camera, another replica's share.
          const jittered = inOrder.map((x) => ({ x, at: x.lastMs + noise.next().value * DEFAULT_RULES.bucketMs })).sort((a, b) => a.at - b.at).map((p) => p.x);
          const linksOf = (ds: Decision[]) => ds.filter((d) => d.kind === 'link').map((d) => kinds([d])[0]).sort();
          expect(linksOf(run(jittered, sim))).to.deep.equal(linksOf(run(inOrder, sim)));
          // The exit-owner cache kept between rounds changes nothing.
          expect(linksOf(run(jittered, sim, new Map()))).to.deep.equal(linksOf(run(inOrder, sim)));
        }),
        { numRuns: 100 },
      );
    });
  });
});
