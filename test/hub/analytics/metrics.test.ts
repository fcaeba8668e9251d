import { expect } from 'chai';
import { computeFunnel } from '../../../hub/analytics/funnel.js';
import { computeHeatmap } from '../../../hub/analytics/heatmap.js';
import { computeMetrics, conversionOf, metricsByBucket, queueDepthAt, type WindowFacts } from '../../../hub/analytics/metrics.js';
import type { VisitorFacts } from '../../../hub/analytics/types.js';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-03-03T04:30:00Z'); // 10:00 in Bengaluru

function visitor(id: string, over: Partial<VisitorFacts> = {}): VisitorFacts {
  return { visitor_id: id, first_in: T0, first_entry: T0, last_exit: null, first_seen: T0, zone_visit: false, billing: false, joined_queue: false, abandoned_queue: false, ...over };
}
function facts(over: Partial<WindowFacts> = {}): WindowFacts {
  return { window: { from: T0, to: T0 + 2 * H }, at: T0 + 2 * H, visitors: [], presences: [], transactions: [], queue: [], zoneDwell: [{ sum_ms: 0, n: 0 }], staffEvents: [0], doors: [], queueEvents: [], ...over };
}
const tx = (id: string, ts: number) => ({ transaction_id: id, store_id: 'S', ts, basket_value_inr: 100 });

describe('computeMetrics (hand-computed cases)', () => {
  it('empty store: all zeros, no NaN', () => {
    const m = computeMetrics(facts());
    expect(m).to.deep.include({ unique_visitors: 0, conversion_rate: 0, purchased: 0, unattributed_transactions: 0, avg_dwell_ms: 0, avg_zone_dwell_ms: 0, queue_depth_current: 0, abandonment_rate: 0 });
  });

  it('three visitors, one purchase, one billing without purchase, one orphan sale', () => {
    const m = computeMetrics(
      facts({
        visitors: [
          visitor('A', { last_exit: T0 + 10 * M, billing: true, zone_visit: true, joined_queue: true }),
          visitor('B', { first_in: T0 + M, first_entry: T0 + M, last_exit: T0 + 21 * M, billing: true, zone_visit: true, joined_queue: true, abandoned_queue: true }),
          visitor('C', { first_in: T0 + 2 * M, first_entry: T0 + 2 * M }),
        ],
        presences: [{ visitor_id: 'A', ts: T0 + 5 * M }, { visitor_id: 'B', ts: T0 + 3 * M }],
        transactions: [tx('T1', T0 + 6 * M), tx('T2', T0 + 60 * M)],
        zoneDwell: [{ sum_ms: 30_000, n: 2 }],
        staffEvents: [7],
      }),
    );
    // A buys (latest presence before T1); B stood in billing, bought nothing; T2 has nobody within 5 min.
    expect(m).to.deep.include({
      unique_visitors: 3,
      purchased: 1,
      conversion_rate: 0.3333,
      unattributed_transactions: 1,
      avg_dwell_ms: (10 * M + 20 * M) / 2,
      avg_zone_dwell_ms: 15_000,
      abandonment_rate: 0.5,
      staff_excluded_events: 7,
    });
  });

  it('a re-entering visitor is one visitor and one visit from first ENTRY to last EXIT', () => {
    // Only REENTRY in the window, ENTRY 1 h before it (VISIT_LOOKBACK): counted once, visit measured from the ENTRY.
    const m = computeMetrics(facts({ visitors: [visitor('A', { first_in: T0 + M, first_entry: T0 - H, last_exit: T0 + 30 * M })] }));
    expect(m).to.deep.include({ unique_visitors: 1, avg_dwell_ms: H + 30 * M });
  });

  it('a visitor seen only in zones (ENTRY before the window) is not a visitor and cannot be "purchased"', () => {
    const m = computeMetrics(
      facts({ visitors: [visitor('Z', { first_in: null, first_entry: null, billing: true })], presences: [{ visitor_id: 'Z', ts: T0 }], transactions: [tx('T', T0 + M)] }),
    );
    expect(m).to.deep.include({ unique_visitors: 0, purchased: 0, conversion_rate: 0, unattributed_transactions: 0 });
  });

  it('queue_depth_current: the newest reading in the 5 minutes before `at`, else 0', () => {
    const q = [
      { ts: T0, camera_id: 'C', zone_id: 'Z', queue_depth: 4 },
      { ts: T0 + 3 * M, camera_id: 'C', zone_id: 'Z', queue_depth: 2 },
    ];
    expect(queueDepthAt(q, T0 + 4 * M)).to.equal(2);
    expect(queueDepthAt(q, T0 + 2 * M)).to.equal(4);
    expect(queueDepthAt(q, T0 + 9 * M)).to.equal(0);
  });

  it('hourly buckets add up to the window and keep a visitor in the hour of its first entry', () => {
    const f = facts({
      visitors: [visitor('A', { first_in: T0 + 50 * M, first_entry: T0 + 50 * M, last_exit: T0 + 70 * M }), visitor('B', { first_in: T0 + 65 * M })],
      presences: [{ visitor_id: 'A', ts: T0 + 58 * M }],
      transactions: [tx('T1', T0 + 62 * M)],
      zoneDwell: [{ sum_ms: 0, n: 0 }, { sum_ms: 0, n: 0 }],
      staffEvents: [1, 2],
    });
    const [h0, h1] = metricsByBucket(f, [{ from: T0, to: T0 + H }, { from: T0 + H, to: T0 + 2 * H }]);
    expect([h0!.unique_visitors, h0!.purchased, h0!.avg_dwell_ms]).to.deep.equal([1, 1, 0]); // bought in hour 1, counted in hour 0
    expect([h1!.unique_visitors, h1!.purchased, h1!.avg_dwell_ms, h1!.staff_excluded_events]).to.deep.equal([1, 0, 20 * M, 2]);
  });
});

describe('computeFunnel', () => {
  it('never grows: a purchase by a visitor with no zone visit stops at entry', () => {
    const vs = [
      visitor('A', { zone_visit: true, billing: true }),
      visitor('B', { zone_visit: true }),
      visitor('C', { billing: true }), // billing flag without a zone visit (inconsistent events): stops at entry
      visitor('D', { first_in: null, zone_visit: true, billing: true }),
    ];
    const presences = [{ visitor_id: 'A', ts: T0 }, { visitor_id: 'C', ts: T0 + M }];
    const f = computeFunnel(conversionOf({ visitors: vs, presences, transactions: [tx('T1', T0 + 2 * M), tx('T2', T0 + 3 * M)] }));
    expect(f).to.deep.include({ entry: 3, zone_visit: 2, billing_queue: 1, purchased: 1 });
  });
});

describe('computeHeatmap', () => {
  it('lists every zone, zeros for unvisited ones, normalised to the busiest', () => {
    const zones = [
      { zone_id: 'Z1', name: 'a', type: 'aisle' as const },
      { zone_id: 'Z2', name: 'b', type: 'billing' as const },
      { zone_id: 'Z3', name: 'c', type: 'display' as const },
    ];
    const rows = computeHeatmap(zones, new Map([['Z1', 8], ['Z2', 3], ['Z_UNKNOWN', 50]]), new Map([['Z1', { sum_ms: 90_000, n: 4 }]]));
    expect(rows.map((r) => [r.zone_id, r.frequency, r.avg_dwell_ms, r.normalized])).to.deep.equal([
      ['Z1', 8, 22_500, 100],
      ['Z2', 3, 0, 38],
      ['Z3', 0, 0, 0],
    ]);
  });
});
