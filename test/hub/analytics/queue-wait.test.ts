import { expect } from 'chai';
import { queueWaitsByBucket, waitStats } from '../../../hub/analytics/queue-wait.js';
import type { QueueEvent } from '../../../hub/analytics/types.js';

const M = 60_000;
const H = 60 * M;
const ev = (visitor_id: string, type: QueueEvent['type'], ts: number, queue_wait_ms: number | null = null, zone_id = 'Z'): QueueEvent => ({ visitor_id, zone_id, type, ts, queue_wait_ms });

describe('waitStats', () => {
  it('nearest-rank percentiles: p50 and p90 are waits that happened', () => {
    expect(waitStats([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).to.deep.equal({ avg: 55, p50: 50, p90: 90, n: 10 });
    expect(waitStats([7])).to.deep.equal({ avg: 7, p50: 7, p90: 7, n: 1 });
    expect(waitStats([])).to.deep.equal({ avg: null, p50: null, p90: null, n: 0 });
  });
});

describe('queueWaitsByBucket', () => {
  const buckets = [{ from: 0, to: H }, { from: H, to: 2 * H }];

  it('pairs each join with its outcome per visitor and zone; served and abandoned apart; in the join’s bucket', () => {
    const events = [
      ev('A', 'BILLING_QUEUE_JOIN', 50 * M),
      ev('B', 'BILLING_QUEUE_JOIN', 55 * M),
      ev('B', 'ZONE_EXIT', 58 * M), // the exit before an abandon carries no wait: closes nothing
      ev('B', 'BILLING_QUEUE_ABANDON', 58 * M),
      ev('A', 'ZONE_EXIT', 65 * M, 4 * M), // joined in hour 0, reached the till 4 min later
      ev('C', 'ZONE_EXIT', 70 * M, 2 * M), // joined before the window: not this window's wait
      ev('D', 'BILLING_QUEUE_JOIN', 100 * M),
      ev('D', 'BILLING_QUEUE_JOIN', 100 * M, null, 'Z2'), // another zone's queue is another queue
      ev('D', 'ZONE_EXIT', 101 * M, 1 * M, 'Z2'),
      ev('E', 'BILLING_QUEUE_JOIN', 110 * M), // still queueing at the window's end
    ];
    const [h0, h1] = queueWaitsByBucket(events, buckets);
    expect(h0).to.deep.equal({ served: { avg: 4 * M, p50: 4 * M, p90: 4 * M, n: 1 }, abandoned: { avg: 3 * M, p50: 3 * M, p90: 3 * M, n: 1 } });
    expect(h1).to.deep.equal({ served: { avg: M, p50: M, p90: M, n: 1 }, abandoned: { avg: null, p50: null, p90: null, n: 0 } });
  });
});
