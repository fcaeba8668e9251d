import { expect } from 'chai';
import fc from 'fast-check';
import { computeFunnel } from '../../../hub/analytics/funnel.js';
import { canonicalVisitors } from '../../../hub/analytics/identity.js';
import { computeMetrics, conversionOf, type WindowFacts } from '../../../hub/analytics/metrics.js';
import type { BillingPresence, PosTransaction, VisitorFacts } from '../../../hub/analytics/types.js';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-03-03T04:30:00Z');

const door = (id: string, at: number, over: Partial<VisitorFacts> = {}): VisitorFacts => ({
  visitor_id: id, first_in: at, first_entry: at, last_exit: at + 20 * M, first_seen: at, zone_visit: false, billing: false, joined_queue: false, abandoned_queue: false, ...over,
});
const till = (id: string, at: number, over: Partial<VisitorFacts> = {}): VisitorFacts => ({
  visitor_id: id, first_in: null, first_entry: null, last_exit: null, first_seen: at, zone_visit: true, billing: true, joined_queue: true, abandoned_queue: false, ...over,
});
const tx = (id: string, ts: number): PosTransaction => ({ transaction_id: id, store_id: 'S', ts, basket_value_inr: 100 });

function facts(over: Partial<WindowFacts>): WindowFacts {
  return { window: { from: T0, to: T0 + 2 * H }, at: T0 + 2 * H, visitors: [], presences: [], transactions: [], queue: [], zoneDwell: [{ sum_ms: 0, n: 0 }], staffEvents: [0], doors: [], queueEvents: [], ...over };
}

/**
 * The two-camera store of the sample clip: six visitors enter at the door camera (no zones there); the till camera
 * (counter zone only) gives each its own id; four of them buy, each within a minute of standing at the counter.
 */
function twoCameraStore() {
  const ids = [1, 2, 3, 4, 5, 6];
  const visitors = [...ids.map((i) => door(`D${i}`, T0 + i * 5 * M)), ...ids.map((i) => till(`T${i}`, T0 + i * 5 * M + 2 * M))];
  const presences: BillingPresence[] = ids.map((i) => ({ visitor_id: `T${i}`, ts: T0 + i * 5 * M + 2 * M }));
  const transactions = [1, 2, 4, 6].map((i) => tx(`TX${i}`, T0 + i * 5 * M + 3 * M));
  const zoneCameraIds = new Set(ids.map((i) => `T${i}`));
  const allLinks = new Map(ids.map((i) => [`T${i}`, `D${i}`]));
  return { visitors, presences, transactions, zoneCameraIds, allLinks };
}

const accounted = (m: ReturnType<typeof computeMetrics>) =>
  m.purchased + m.unattributed_transactions + m.uncounted_transactions.entered_before_window + m.uncounted_transactions.beyond_visitors;

describe('store conversion across cameras', () => {
  it('a door camera and a till camera without any link: 6 visitors, 4 purchased, every stage says "counted without a link"', () => {
    const s = twoCameraStore();
    const f = facts({ ...s, links: new Map() });
    const m = computeMetrics(f);
    expect(m).to.deep.include({ unique_visitors: 6, purchased: 4, conversion_rate: 0.6667, unattributed_transactions: 0 });
    expect(m.identity).to.deep.equal({ linked_visitors: 0, purchased_linked: 0, purchased_unlinked: 4 });
    expect(m.uncounted_transactions).to.deep.equal({ entered_before_window: 0, beyond_visitors: 0 });
    const funnel = computeFunnel(conversionOf(f));
    expect(funnel).to.deep.equal({
      entry: 6, zone_visit: 6, billing_queue: 6, purchased: 4,
      identity: { zone_visit: { linked: 0, unlinked: 6 }, billing_queue: { linked: 0, unlinked: 6 }, purchased: { linked: 0, unlinked: 4 } },
    });
  });

  it('the same store with every till id linked: the same figures, now all "linked"; visits keep the door camera\'s length', () => {
    const s = twoCameraStore();
    const f = facts({ ...s, links: s.allLinks });
    const m = computeMetrics(f);
    expect(m).to.deep.include({ unique_visitors: 6, purchased: 4, conversion_rate: 0.6667, avg_dwell_ms: 20 * M, abandonment_rate: 0 });
    expect(m.identity).to.deep.equal({ linked_visitors: 6, purchased_linked: 4, purchased_unlinked: 0 });
    expect(computeFunnel(conversionOf(f))).to.deep.equal({
      entry: 6, zone_visit: 6, billing_queue: 6, purchased: 4,
      identity: { zone_visit: { linked: 6, unlinked: 0 }, billing_queue: { linked: 6, unlinked: 0 }, purchased: { linked: 4, unlinked: 0 } },
    });
  });

  it('half linked: linked and unlinked add up, and the two cameras\' ids of one person never count twice', () => {
    const s = twoCameraStore();
    const links = new Map([['T1', 'D1'], ['T2', 'D2'], ['T3', 'D3']]);
    const f = facts({ ...s, links });
    expect(computeMetrics(f)).to.deep.include({ unique_visitors: 6, purchased: 4 });
    expect(computeMetrics(f).identity).to.deep.equal({ linked_visitors: 3, purchased_linked: 2, purchased_unlinked: 2 });
    expect(computeFunnel(conversionOf(f)).identity).to.deep.equal({
      zone_visit: { linked: 3, unlinked: 3 }, billing_queue: { linked: 3, unlinked: 3 }, purchased: { linked: 2, unlinked: 2 },
    });
  });

  it('a linked pair is one purchase candidate: seen at billing by both cameras, it converts once', () => {
    // D1's own camera and the till camera both see it at the counter; two sales a minute apart, nobody else there.
    const visitors = [door('D1', T0, { zone_visit: true, billing: true }), till('T1', T0 + M)];
    const presences = [{ visitor_id: 'D1', ts: T0 + M }, { visitor_id: 'T1', ts: T0 + 2 * M }];
    const transactions = [tx('A', T0 + 3 * M), tx('B', T0 + 4 * M)];
    const base = { visitors, presences, transactions, zoneCameraIds: new Set(['T1']) };
    const linked = computeMetrics(facts({ ...base, links: new Map([['T1', 'D1']]) }));
    expect(linked).to.deep.include({ unique_visitors: 1, purchased: 1, unattributed_transactions: 1 });
    expect(linked.identity.purchased_linked).to.equal(0); // its own camera saw it at billing
    const unlinked = computeMetrics(facts({ ...base, links: new Map() }));
    // Without the link two ids bought; the unlinked one has no visitor left to be: reported, not counted.
    expect(unlinked).to.deep.include({ unique_visitors: 1, purchased: 1, unattributed_transactions: 0 });
    expect(unlinked.uncounted_transactions).to.deep.equal({ entered_before_window: 0, beyond_visitors: 1 });
  });

  it('entrance camera offline: till customers\' sales are reported as beyond the visitors, conversion stays 0 without visitors', () => {
    const s = twoCameraStore();
    const f = facts({ ...s, visitors: s.visitors.filter((v) => v.visitor_id.startsWith('T')), links: new Map() });
    const m = computeMetrics(f);
    expect(m).to.deep.include({ unique_visitors: 0, purchased: 0, conversion_rate: 0, unattributed_transactions: 0 });
    expect(m.uncounted_transactions).to.deep.equal({ entered_before_window: 0, beyond_visitors: 4 });
    expect(accounted(m)).to.equal(4);
    expect(computeFunnel(conversionOf(f))).to.deep.include({ entry: 0, zone_visit: 0, billing_queue: 0, purchased: 0 });
  });

  it('till camera offline: nobody is seen at billing, so the sales are unattributed', () => {
    const s = twoCameraStore();
    const m = computeMetrics(facts({ ...s, visitors: s.visitors.filter((v) => v.visitor_id.startsWith('D')), presences: [], links: new Map() }));
    expect(m).to.deep.include({ unique_visitors: 6, purchased: 0, unattributed_transactions: 4 });
  });

  it('a customer who never passes the entrance camera counts as a purchase without a link, within the visitors', () => {
    const visitors = [door('D1', T0), door('D2', T0), till('T9', T0 + M)];
    const m = computeMetrics(facts({ visitors, presences: [{ visitor_id: 'T9', ts: T0 + M }], transactions: [tx('A', T0 + 2 * M)], zoneCameraIds: new Set(['T9']) }));
    expect(m).to.deep.include({ unique_visitors: 2, purchased: 1, conversion_rate: 0.5 });
    expect(m.identity.purchased_unlinked).to.equal(1);
  });

  it('a sale matched to a visitor who entered before the window is reported, not counted and not lost', () => {
    // D0: an entrance-camera id (not a zone camera's) with no ENTRY in the window. T5: a till id linked to D7, who
    // entered before the window and has no event in it. Neither is a visitor here.
    const visitors = [door('D1', T0), door('D0', T0, { first_in: null, first_entry: null, billing: true, zone_visit: true }), till('T5', T0)];
    const presences = [{ visitor_id: 'D0', ts: T0 + M }, { visitor_id: 'T5', ts: T0 + 10 * M }];
    const m = computeMetrics(facts({ visitors, presences, transactions: [tx('A', T0 + 2 * M), tx('B', T0 + 11 * M)], zoneCameraIds: new Set(['T5']), links: new Map([['T5', 'D7']]) }));
    expect(m).to.deep.include({ unique_visitors: 1, purchased: 0, unattributed_transactions: 0 });
    expect(m.uncounted_transactions).to.deep.equal({ entered_before_window: 2, beyond_visitors: 0 });
  });

  it('merges a linked pair into one visitor: the door\'s visit, the till\'s queue join and abandon', () => {
    const merged = canonicalVisitors([door('D1', T0), till('T1', T0 + M, { abandoned_queue: true, billing: false })], new Map([['T1', 'D1']]));
    expect(merged).to.have.length(1);
    expect(merged[0]).to.deep.include({ visitor_id: 'D1', first_in: T0, last_exit: T0 + 20 * M, zone_visit: true, joined_queue: true, abandoned_queue: true, linked_ids: 1 });
    const m = computeMetrics(facts({ visitors: [door('D1', T0), till('T1', T0 + M, { abandoned_queue: true })], links: new Map([['T1', 'D1']]) }));
    expect(m).to.deep.include({ unique_visitors: 1, abandonment_rate: 1 });
  });

  it('any store, any links: every transaction is accounted for, the funnel never grows, purchases never exceed visitors', () => {
    const id = fc.integer({ min: 0, max: 7 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ i: id, door: fc.boolean(), entered: fc.boolean(), zone: fc.boolean(), billing: fc.boolean(), t: fc.integer({ min: 0, max: 100 }) }), { maxLength: 12 }),
        fc.array(fc.record({ i: id, door: fc.boolean(), t: fc.integer({ min: -5, max: 110 }) }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 119 }), { maxLength: 8 }),
        fc.array(fc.tuple(id, id), { maxLength: 6 }),
        (vs, ps, ts, ls) => {
          const name = (door: boolean, i: number) => `${door ? 'D' : 'T'}${i}`;
          const visitors = new Map<string, VisitorFacts>();
          for (const v of vs) {
            const vid = name(v.door, v.i);
            const at = T0 + v.t * M;
            visitors.set(vid, v.door && v.entered ? door(vid, at, { zone_visit: v.zone, billing: v.zone && v.billing }) : till(vid, at, { zone_visit: v.zone, billing: v.zone && v.billing }));
          }
          const f = facts({
            visitors: [...visitors.values()],
            presences: ps.map((p) => ({ visitor_id: name(p.door, p.i), ts: T0 + p.t * M })),
            transactions: ts.map((t, k) => tx(`X${k}`, T0 + t * M)),
            links: new Map(ls.map(([t, d]) => [name(false, t), name(true, d)])),
            zoneCameraIds: new Set([...visitors.keys()].filter((k) => k.startsWith('T'))),
          });
          const m = computeMetrics(f);
          expect(accounted(m)).to.equal(ts.length);
          expect(m.purchased).to.be.at.most(m.unique_visitors);
          const fu = computeFunnel(conversionOf(f));
          expect(fu.entry).to.equal(m.unique_visitors);
          expect(fu.entry >= fu.zone_visit && fu.zone_visit >= fu.billing_queue && fu.billing_queue >= fu.purchased).to.equal(true);
          for (const s of ['zone_visit', 'billing_queue', 'purchased'] as const) expect(fu.identity[s].linked + fu.identity[s].unlinked).to.be.at.most(fu[s]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
