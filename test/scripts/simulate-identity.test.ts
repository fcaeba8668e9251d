import { expect } from 'chai';
import { DEFAULT_APPEARANCE } from '../../hub/identity/evidence.js';
import { DEFAULT_RULES, roundViewCorrelation, type Link } from '../../hub/identity/resolve.js';
import { drawSimilarity, simulateIdentityStore, TILL_CAMERA, ENTRANCE_CAMERA } from '../../scripts/simulate/identity.js';
import { replayIdentity } from '../../scripts/simulate/identity-replay.js';
import { createRng } from '../../scripts/simulate/prng.js';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;

describe('scripts/simulate/identity: multi-camera stores for the identity bench', () => {
  const { same, other } = DEFAULT_APPEARANCE.crossCamera;

  it('draws cosines within 0.01 of the measured p5/p50/p95 (same person 0.65/0.73/0.82, different 0.42/0.52/0.65)', () => {
    const rng = createRng(3);
    const measured = [[same, [0.65, 0.73, 0.82]], [other, [0.42, 0.52, 0.65]]] as const;
    for (const [d, [p5, p50, p95]] of measured) {
      const xs = Array.from({ length: 20_000 }, () => drawSimilarity(rng, d));
      expect(quantile(xs, 0.05)).to.be.closeTo(p5, 0.012);
      expect(quantile(xs, 0.5)).to.be.closeTo(p50, 0.012);
      expect(quantile(xs, 0.95)).to.be.closeTo(p95, 0.012);
    }
  });

  it('reproduces the measured rank-1 figures: 93 % in galleries of 10, 76 % among 74 people', () => {
    const rng = createRng(5);
    const rank1 = (gallery: number, trials: number) => {
      let ok = 0;
      for (let t = 0; t < trials; t++) {
        const truth = drawSimilarity(rng, same);
        let best = -Infinity;
        for (let i = 1; i < gallery; i++) best = Math.max(best, drawSimilarity(rng, other));
        if (truth > best) ok++;
      }
      return ok / trials;
    };
    expect(rank1(10, 4000)).to.be.closeTo(0.93, 0.03);
    expect(rank1(74, 3000)).to.be.closeTo(0.76, 0.04);
  });

  it('gives each camera its own ids, keeps the truth, and is the same for the same seed', () => {
    const a = simulateIdentityStore({ occupancy: 10, hours: 2, seed: 9 });
    const b = simulateIdentityStore({ occupancy: 10, hours: 2, seed: 9 });
    expect(a.tracks.map((t) => t.key)).to.deep.equal(b.tracks.map((t) => t.key));
    const idsByCamera = new Map<string, Set<string>>();
    for (const t of a.tracks) idsByCamera.set(t.cameraId, (idsByCamera.get(t.cameraId) ?? new Set()).add(t.visitorId));
    const [door, tillIds] = [idsByCamera.get(ENTRANCE_CAMERA)!, idsByCamera.get(TILL_CAMERA)!];
    expect([...tillIds].some((v) => door.has(v))).to.equal(false);
    const person = new Map(a.tracks.map((t) => [t.visitorId, t.person]));
    for (const [tillVisitor, entrance] of a.truth) if (entrance) expect(person.get(entrance)).to.equal(person.get(tillVisitor));
    expect(a.tracks.some((t) => t.isStaff && t.cameraId === TILL_CAMERA)).to.equal(true);
    // Same pair, same cosine, whatever order it is asked in.
    const [x, y] = [a.tracks[3]!, a.tracks[40]!];
    expect(a.similarity(x, y)).to.equal(b.similarity(y, x));
  });

  it('buyers mostly walk out within minutes of the till, a share keep browsing, and some exits are missed', () => {
    const sim = simulateIdentityStore({ occupancy: 50, hours: 3, seed: 4 });
    const exitOf = new Map(sim.tracks.filter((t) => t.entrance && t.enteredMs === null).map((t) => [t.person, t.firstMs]));
    const tills = sim.tracks.filter((t) => t.cameraId === TILL_CAMERA && !t.isStaff);
    const gaps = tills.map((t) => exitOf.get(t.person)).map((x, i) => (x === undefined ? null : (x - tills[i]!.lastMs) / 60_000));
    const seen = gaps.filter((g): g is number => g !== null);
    expect(1 - seen.length / gaps.length).to.be.closeTo(0.1, 0.05);
    expect(seen.filter((g) => g <= 2.5).length / seen.length).to.be.closeTo(0.75, 0.07);
    expect(seen.filter((g) => g > 5).length / seen.length).to.be.greaterThan(0.15);
  });

  it('correlation: one person\'s cosines move together (and a look-alike\'s), the marginals stay the measured ones', () => {
    const pearson = (xs: number[], ys: number[]) => {
      const m = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
      const [mx, my] = [m(xs), m(ys)];
      let [sxy, sxx, syy] = [0, 0, 0];
      xs.forEach((x, i) => ((sxy += (x - mx) * (ys[i]! - my)), (sxx += (x - mx) ** 2), (syy += (ys[i]! - my) ** 2)));
      return sxy / Math.sqrt(sxx * syy);
    };
    const pairs = (rho: number) => {
      const sim = simulateIdentityStore({ occupancy: 50, hours: 4, seed: 6, correlation: rho });
      const byPerson = new Map<string, { entry?: (typeof sim.tracks)[number]; exit?: (typeof sim.tracks)[number]; till?: (typeof sim.tracks)[number] }>();
      for (const t of sim.tracks) {
        const p = byPerson.get(t.person) ?? {};
        if (t.cameraId === TILL_CAMERA) p.till = t;
        else if (t.enteredMs !== null) p.entry = t;
        else p.exit = t;
        byPerson.set(t.person, p);
      }
      const full = [...byPerson.values()].filter((p) => p.entry && p.exit && p.till && !p.till.isStaff);
      // Same person: till vs entering, till vs leaving. A stranger: the next person's entering and leaving tracks.
      const same = full.map((p) => [sim.similarity(p.till!, p.entry!), sim.similarity(p.till!, p.exit!)] as const);
      const other = full.slice(1).map((q, i) => [sim.similarity(full[i]!.till!, q.entry!), sim.similarity(full[i]!.till!, q.exit!)] as const);
      return { same, other };
    };
    const ind = pairs(0);
    const cor = pairs(0.5);
    expect(ind.same.length).to.be.greaterThan(150);
    expect(pearson(ind.same.map((x) => x[0]), ind.same.map((x) => x[1]))).to.be.closeTo(0, 0.15);
    expect(pearson(cor.same.map((x) => x[0]), cor.same.map((x) => x[1]))).to.be.closeTo(0.5, 0.15);
    expect(pearson(cor.other.map((x) => x[0]), cor.other.map((x) => x[1]))).to.be.closeTo(0.5, 0.15);
    const xs = cor.same.map((x) => x[0]);
    expect(quantile(xs, 0.5)).to.be.closeTo(0.735, 0.02);
    expect(quantile(cor.other.map((x) => x[0]), 0.5)).to.be.closeTo(0.525, 0.02);
  });

  it('replay: with a perfect appearance oracle almost every till customer is linked, and none wrongly', () => {
    const sim = simulateIdentityStore({ occupancy: 10, hours: 3, seed: 2 });
    const person = new Map(sim.tracks.map((t) => [t.key, t.person]));
    const oracle = { ...sim, similarity: (p: { key: string }, q: { key: string }) => (person.get(p.key) === person.get(q.key) ? 0.95 : 0.3) };
    const r = replayIdentity(oracle, DEFAULT_RULES);
    expect(r.customers).to.be.greaterThan(20);
    expect(r.linkedWrong).to.equal(0);
    // Only customers who entered unseen (2 %) may stay unlinked.
    expect(r.linkedRight / r.customers).to.be.greaterThan(0.9);
  });

  it('replay: oracle exits link every leaving track to its true visitor, and score customers by how they left', () => {
    const sim = simulateIdentityStore({ occupancy: 10, hours: 3, seed: 2 });
    const plain = replayIdentity(sim, DEFAULT_RULES);
    const oracle = replayIdentity(sim, DEFAULT_RULES, undefined, { oracleExits: true });
    expect(oracle.exits.total).to.be.greaterThan(20);
    // All but those of people never seen entering (2 %), and never wrongly.
    expect(oracle.exits.right / oracle.exits.total).to.be.greaterThan(0.9);
    expect(oracle.exits.wrong).to.equal(0);
    expect(oracle.exits.right).to.be.greaterThan(plain.exits.right);
    // The cases partition the customers, and their links add up to the totals.
    const cases = Object.values(plain.byLeaving);
    expect(cases.reduce((a, c) => a + c.n, 0)).to.equal(plain.customers);
    expect(cases.reduce((a, c) => a + c.right, 0)).to.equal(plain.linkedRight);
    expect(cases.reduce((a, c) => a + c.wrong, 0)).to.equal(plain.linkedWrong);
    // Nobody never seen entering is linked right.
    expect(plain.byLeaving.unseenEntry.right).to.equal(0);
  });

  it('the view correlation measured on a store\'s links follows its looks: near 0 when independent, near 0.5 when correlated', () => {
    const measured = (correlation: number, n: number) => {
      const sim = simulateIdentityStore({ occupancy: 50, hours: 3, seed: 1, correlation });
      // The true links of till customers seen entering (what a resolver that links right would have).
      const links: Link[] = sim.tracks
        .filter((t) => t.cameraId === TILL_CAMERA && !t.isStaff && sim.truth.get(t.visitorId))
        .slice(0, n)
        .map((t) => ({ key: t.key, visitorId: t.visitorId, cameraId: t.cameraId, entranceVisitorId: sim.truth.get(t.visitorId)!, score: 1, posterior: 1, atMs: t.lastMs }));
      return roundViewCorrelation({ sightings: sim.tracks, decided: new Set(), links }, sim.similarity, DEFAULT_RULES);
    };
    // Too few links: the configured assumption.
    expect(measured(0, DEFAULT_RULES.estimateCorrelationAfter - 1)).to.equal(DEFAULT_RULES.viewCorrelation);
    expect(measured(0, 150)).to.be.lessThan(0.15);
    // Estimate plus two standard errors: at or above the truth.
    expect(measured(0.5, 150)).to.be.within(0.45, 0.65);
  });
});
