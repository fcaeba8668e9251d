import { expect } from 'chai';
import { detectConversionDrop } from '../../../hub/analytics/anomalies/conversion-drop.js';
import { detectDeadZones } from '../../../hub/analytics/anomalies/dead-zone.js';
import { detectQueueSpikes } from '../../../hub/analytics/anomalies/queue-spike.js';
import { detectStaleFeeds } from '../../../hub/analytics/anomalies/stale-feed.js';
import { DEFAULT_THRESHOLDS as T } from '../../../hub/analytics/anomalies/types.js';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-03-03T04:30:00Z');
const iso = (t: number) => new Date(t).toISOString();
const q = (ts: number, queue_depth: number, zone_id: string | null = 'Z_COUNTER') => ({ ts, camera_id: 'CAM', zone_id, queue_depth });

describe('QUEUE_SPIKE', () => {
  it('flags a reading at the absolute threshold once per episode, with its peak', () => {
    const a = detectQueueSpikes([q(T0, 2), q(T0 + M, 6), q(T0 + 2 * M, 8), q(T0 + 3 * M, 2), q(T0 + 4 * M, 7)], T0, T0 + H, T);
    expect(a.map((x) => [x.detected_at, x.details.peak_depth, x.severity])).to.deep.equal([
      [iso(T0 + M), 8, 'warning'],
      [iso(T0 + 4 * M), 7, 'warning'],
    ]);
  });

  it('flags twice the trailing-hour mean (readings before the window count toward the mean)', () => {
    const a = detectQueueSpikes([q(T0 - 30 * M, 2), q(T0 - 10 * M, 2), q(T0 + M, 4), q(T0 + 2 * M, 3)], T0, T0 + H, T);
    expect(a).to.have.length(1);
    expect(a[0]!.details).to.include({ queue_depth: 4, trailing_hour_mean: 2 });
    // Readings older than an hour do not count: 4 after a lone 2 from 61 min ago has no trailing mean.
    expect(detectQueueSpikes([q(T0 - 61 * M, 2), q(T0, 4)], T0, T0 + H, T)).to.deep.equal([]);
  });

  it('does not call 2 people after a quiet hour a spike (below RATIO_MIN_DEPTH)', () => {
    expect(detectQueueSpikes([q(T0, 1), q(T0 + M, 2)], T0, T0 + H, T)).to.deep.equal([]);
  });
});

describe('CONVERSION_DROP', () => {
  const day = (visitors: number, purchased: number, d = 1) => ({ from: T0 - d * 24 * H, visitors, purchased });
  it('flags the last hour below half the 7-day mean for that hour', () => {
    const a = detectConversionDrop({ from: T0, visitors: 20, purchased: 2 }, [day(10, 4), day(10, 5, 2), day(10, 3, 3), day(0, 0, 4)], T0 + H, T);
    expect(a).to.have.length(1);
    expect(a[0]!.details).to.include({ conversion_rate: 0.1, baseline_rate: 0.4, baseline_days: 3 });
  });
  it('needs enough visitors in the hour and enough baseline days', () => {
    expect(detectConversionDrop({ from: T0, visitors: 9, purchased: 0 }, [day(10, 4), day(10, 4, 2), day(10, 4, 3)], T0 + H, T)).to.deep.equal([]);
    expect(detectConversionDrop({ from: T0, visitors: 20, purchased: 0 }, [day(10, 4), day(10, 4, 2)], T0 + H, T)).to.deep.equal([]);
  });
  it('is quiet when conversion holds', () => {
    expect(detectConversionDrop({ from: T0, visitors: 20, purchased: 5 }, [day(10, 4), day(10, 4, 2), day(10, 4, 3)], T0 + H, T)).to.deep.equal([]);
  });
});

describe('DEAD_ZONE', () => {
  const zones = [{ zone_id: 'Z_A', name: 'a', type: 'aisle' as const }];
  const entries = (n: number, start: number, step: number) => Array.from({ length: n }, (_, i) => start + i * step);
  it('flags 30+ minutes without a visit while 10+ visitors entered, at the instant both held', () => {
    const a = detectDeadZones(zones, new Map([['Z_A', [T0 + M]]]), entries(12, T0, 5 * M), T0 + 2 * H, T);
    expect(a).to.have.length(1);
    // Gap from the visit at T0+1m; 30 min pass at T0+31m but the 10th visitor after it enters at T0+50m.
    expect(a[0]!.detected_at).to.equal(iso(T0 + 50 * M));
    expect(a[0]!.details).to.include({ since: iso(T0 + M), store_visitors: 11 });
  });
  it('is quiet with fewer visitors, and before the store’s first visitor', () => {
    expect(detectDeadZones(zones, new Map(), entries(9, T0, 5 * M), T0 + 2 * H, T)).to.deep.equal([]);
    // Zone visited every 20 minutes: never dead however busy the store.
    const visits = entries(6, T0, 20 * M);
    expect(detectDeadZones(zones, new Map([['Z_A', visits]]), entries(40, T0, 3 * M), T0 + 2 * H, T)).to.deep.equal([]);
  });
});

describe('STALE_FEED', () => {
  it('flags cameras silent for STALE_FEED_MINUTES, critical past 3× or never seen', () => {
    const at = T0 + H;
    const a = detectStaleFeeds(
      [{ camera_id: 'OK', last_seen: at - 5 * M }, { camera_id: 'W', last_seen: at - 12 * M }, { camera_id: 'C', last_seen: at - 40 * M }, { camera_id: 'N', last_seen: null }],
      at,
      T,
    );
    expect(a.map((x) => [x.camera_id, x.severity, x.details.silent_minutes])).to.deep.equal([
      ['W', 'warning', 12],
      ['C', 'critical', 40],
      ['N', 'critical', null],
    ]);
    expect(a[0]!.detected_at).to.equal(iso(at - 2 * M));
    expect(detectStaleFeeds([{ camera_id: 'N', last_seen: null }], at, { ...T, staleFeedMinutes: 0 })).to.deep.equal([]);
  });
});
