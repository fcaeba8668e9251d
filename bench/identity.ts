/**
 * npm run bench:identity [-- --occupancy 10,50,200 --posterior 0.8,0.9,0.95 --seed 1]
 *
 * Cross-camera identity on simulated multi-camera stores (scripts/simulate/identity.ts: similarities drawn from
 * the distributions measured with OSNet x0.25 on two real cameras), replayed through the hub's resolution core
 * as the hub runs it. For 10, 50 and 200 people in the building at once it prints, per posterior threshold, the
 * share of till-camera customers linked right, linked wrong and left unlinked, the conversion read from links
 * alone and by the identity-free rule against the simulator's truth, and — the ceiling measured in the same run —
 * the share a rule would get right by always taking the best-looking visitor among those truly inside.
 * Targets (issue): ≥ 80 % linked right, ≤ 2 % linked wrong.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_RULES } from '../hub/identity/resolve.js';
import { simulateIdentityStore } from '../scripts/simulate/identity.js';
import { replayIdentity } from '../scripts/simulate/identity-replay.js';

const { values: args } = parseArgs({
  options: {
    occupancy: { type: 'string', default: '10,50,200' },
    posterior: { type: 'string', default: '0.8,0.9,0.95' },
    seed: { type: 'string', default: '1' },
  },
});
const list = (s: string) => s.split(',').map(Number).filter((x) => Number.isFinite(x) && x > 0);
// Enough simulated hours for a few hundred scored till customers at every size.
const hoursFor = (occupancy: number) => (occupancy <= 10 ? 12 : occupancy <= 50 ? 4 : 2);
const pct = (x: number, of: number) => `${((100 * x) / Math.max(1, of)).toFixed(1)} %`.padStart(7);

console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (the figures are counts, not timings; round time is indicative)`);
console.log('occupancy  posterior  customers  linked-right  linked-wrong  unlinked  ceiling(argmax inside)  right/ceiling  conversion truth / links only / identity-free  round ms');
for (const occupancy of list(args.occupancy)) {
  const sim = simulateIdentityStore({ occupancy, hours: hoursFor(occupancy), seed: Number(args.seed) });
  for (const minPosterior of list(args.posterior)) {
    const r = replayIdentity(sim, { ...DEFAULT_RULES, minPosterior });
    const c = r.conversion;
    console.log(
      [
        String(occupancy).padStart(9),
        minPosterior.toFixed(2).padStart(10),
        String(r.customers).padStart(10),
        pct(r.linkedRight, r.customers).padStart(13),
        pct(r.linkedWrong, r.customers).padStart(13),
        pct(r.unlinked, r.customers).padStart(9),
        `${(100 * r.rank1Ceiling).toFixed(1)} %`.padStart(23),
        (r.linkedRight / Math.max(1, r.rank1Ceiling * r.customers)).toFixed(2).padStart(14),
        `${c.truth.toFixed(3)} / ${c.identityOnly.toFixed(3)} (${(c.identityOnly - c.truth).toFixed(3)}) / ${c.identityFree.toFixed(3)} (${(c.identityFree - c.truth).toFixed(3)})`.padStart(46),
        r.roundMsMean.toFixed(1).padStart(9),
      ].join(' '),
    );
  }
}
