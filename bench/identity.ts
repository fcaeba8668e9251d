/**
 * npm run bench:identity [-- --occupancy 10,50,200 --posterior 0.92 --correlation 0,0.5 --weight 1 --exit-posterior 0.97
 *                          --view-correlation 0.5 --seed 1 --baseline --cases]
 *
 * Cross-camera identity on simulated multi-camera stores (scripts/simulate/identity.ts: similarities drawn from
 * the distributions measured with OSNet x0.25 on two real cameras; `--correlation` ties one person's cosines
 * together through per-person latents), replayed through the hub's resolution core as the hub runs it. For 10, 50
 * and 200 people in the building at once it prints, per posterior threshold, the share of till-camera customers
 * linked right, linked wrong and left unlinked, how the entrance camera's leaving tracks were linked, the
 * conversion read from links alone and by the identity-free rule against the simulator's truth, and — the ceiling
 * measured in the same run — the share a rule would get right by always taking the best-looking visitor (one
 * cosine) among those truly inside. `--baseline` adds rows with the former rules (the till track against the
 * entering track only, decided as soon as its batch settles; leaving tracks linked at 0.9 and used only to close
 * visitors). `--weight` / `--exit-posterior` / `--view-correlation` list second-sample weights, exit posteriors and
 * assumed view correlations to compare (`--estimate N`: measured once N links exist, 0 = never); `--cases` splits
 * each row by how the customer left (within 2.5 min of the till and seen, later and seen, not seen leaving, never
 * seen entering); `--oracle-exits` links every leaving track to its true visitor as soon as it is seen (a bound: what
 * recognising every exit would be worth).
 * Targets (issue): ≥ 80 % linked right, ≤ 2 % linked wrong.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_RULES, type IdentityRules } from '../hub/identity/resolve.js';
import { simulateIdentityStore } from '../scripts/simulate/identity.js';
import { replayIdentity } from '../scripts/simulate/identity-replay.js';

const { values: args } = parseArgs({
  options: {
    occupancy: { type: 'string', default: '10,50,200' },
    posterior: { type: 'string', default: String(DEFAULT_RULES.minPosterior) },
    correlation: { type: 'string', default: '0,0.5' },
    weight: { type: 'string', default: String(DEFAULT_RULES.secondSampleWeight) },
    seed: { type: 'string', default: '1' },
    baseline: { type: 'boolean', default: false },
    cases: { type: 'boolean', default: false },
    estimate: { type: 'string', default: String(DEFAULT_RULES.estimateCorrelationAfter) },
    'oracle-exits': { type: 'boolean', default: false },
    'exit-posterior': { type: 'string', default: String(DEFAULT_RULES.exitMinPosterior) },
    'view-correlation': { type: 'string', default: String(DEFAULT_RULES.viewCorrelation) },
  },
});
const list = (s: string, min = 0) => s.split(',').map(Number).filter((x) => Number.isFinite(x) && x >= min);
// Enough simulated hours for a few hundred scored till customers at every size.
const hoursFor = (occupancy: number) => (occupancy <= 10 ? 36 : occupancy <= 50 ? 8 : 2);
const pct = (x: number, of: number) => `${((100 * x) / Math.max(1, of)).toFixed(1)} %`;
// The baseline the defaults are measured against (`--baseline`): the till track against entering tracks only,
// leaving tracks linked at 0.9 on their own looks and used only to close, every ambiguous track reconsidered once
// 15 min later.
const BASELINE: Partial<IdentityRules> = { exitWaitMs: 0, secondSampleWeight: 0, leaving: null, softExits: false, exitMinPosterior: 0.9, viewCorrelation: 0, estimateCorrelationAfter: 0, reconsiderMs: 15 * 60_000, exitReconsiderMs: 15 * 60_000, exitsWeighSeen: false };

console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (the figures are counts, not timings; round time is indicative)`);
const header = ['people', 'rho', 'rules', 'posterior', 'customers', 'right', 'wrong', 'unlinked', 'ceiling', 'exits right/wrong', 'conversion truth / links only / identity-free', 'round ms mean/max'];
console.log(header.join(' | '));
for (const occupancy of list(args.occupancy, 1)) {
  for (const correlation of list(args.correlation)) {
    const sim = simulateIdentityStore({ occupancy, hours: hoursFor(occupancy), seed: Number(args.seed), correlation });
    const variants: [string, Partial<IdentityRules>][] = [
      ...(args.baseline ? [['entering only', BASELINE] as [string, Partial<IdentityRules>]] : []),
      ...list(args.weight).flatMap((w) =>
        list(args['exit-posterior'], 1e-9).flatMap((xp) =>
          list(args['view-correlation']).map((vc): [string, Partial<IdentityRules>] => [`w=${w} exit ${xp} r=${vc}${Number(args.estimate) > 0 ? ` until ${args.estimate} links` : ''}`, { secondSampleWeight: w, exitMinPosterior: xp, viewCorrelation: vc, estimateCorrelationAfter: Number(args.estimate) }]),
        ),
      ),
    ];
    for (const [name, over] of variants) {
      for (const minPosterior of list(args.posterior, 1e-9)) {
        const r = replayIdentity(sim, { ...DEFAULT_RULES, ...over, minPosterior }, undefined, { oracleExits: args['oracle-exits'] });
        const c = r.conversion;
        console.log(
          [
            occupancy,
            correlation,
            name,
            minPosterior.toFixed(2),
            r.customers,
            pct(r.linkedRight, r.customers),
            pct(r.linkedWrong, r.customers),
            pct(r.unlinked, r.customers),
            pct(r.rank1Ceiling, 1),
            `${pct(r.exits.right, r.exits.total)} / ${pct(r.exits.wrong, r.exits.total)}`,
            `${c.truth.toFixed(3)} / ${c.identityOnly.toFixed(3)} (${(c.identityOnly - c.truth).toFixed(3)}) / ${c.identityFree.toFixed(3)} (${(c.identityFree - c.truth).toFixed(3)})`,
            `${r.roundMsMean.toFixed(1)} / ${r.roundMsMax.toFixed(0)}`,
          ].join(' | '),
        );
        if (args.cases) console.log(`  by leaving (n right/wrong): ${Object.entries(r.byLeaving).map(([k, b]) => `${k} ${b.n} ${pct(b.right, b.n)}/${pct(b.wrong, b.n)}`).join(', ')}`);
      }
    }
  }
}
