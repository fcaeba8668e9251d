import { expect } from 'chai';
import { cameraZoneSchema } from '../../../common/layout.js';
import { createBillingQueues } from '../../../agent/behaviour/queue.js';

const counter = cameraZoneSchema.parse({
  zone_id: 'Z_TILL',
  polygon: [[0, 0], [1, 0], [1, 1], [0, 1]],
  service_zone: [[0.8, 0], [1, 0], [1, 0.2], [0.8, 0.2]],
});
const QUEUE: [number, number] = [0.3, 0.7];
const TILL: [number, number] = [0.9, 0.1];

describe('agent/behaviour/queue', () => {
  it('joins after join_ms in the zone, once', () => {
    const q = createBillingQueues();
    expect(q.inZone(1, counter, QUEUE, 0, 4_900)).to.deep.equal([]);
    expect(q.inZone(1, counter, QUEUE, 0, 5_000)).to.deep.equal([{ kind: 'join', zoneId: 'Z_TILL', atMs: 5_000, dwellMs: 5_000 }]);
    expect(q.inZone(1, counter, QUEUE, 0, 5_100)).to.deep.equal([]);
    expect(q.isQueued(1, 'Z_TILL')).to.equal(true);
  });

  it('abandons when leaving after joining without reaching the till', () => {
    const q = createBillingQueues();
    q.inZone(1, counter, QUEUE, 0, 6_000);
    expect(q.leftZone(1, counter, 9_000, 9_000)).to.deep.equal([{ kind: 'abandon', zoneId: 'Z_TILL', atMs: 9_000, dwellMs: 9_000 }]);
    expect(q.isQueued(1, 'Z_TILL')).to.equal(false);
  });

  it('is served, not abandoned, once at the till (enter_frames consecutive anchors there), with the wait from the join', () => {
    const q = createBillingQueues();
    q.inZone(1, counter, QUEUE, 0, 6_000);
    for (let i = 0; i < 3; i++) q.inZone(1, counter, TILL, 0, 6_100 + i * 100);
    // The wait runs to the first frame of the till run (6,100), not to the frame that confirmed it.
    expect(q.leftZone(1, counter, 9_000, 9_000)).to.deep.equal([{ kind: 'served', zoneId: 'Z_TILL', atMs: 9_000, waitMs: 100 }]);
  });

  it('waits 0 when the till was reached before join_ms had passed', () => {
    const q = createBillingQueues();
    for (let i = 0; i < 3; i++) q.inZone(1, counter, TILL, 0, 1_000 + i * 100);
    q.inZone(1, counter, TILL, 0, 5_000);
    expect(q.leftZone(1, counter, 7_000, 7_000)).to.deep.equal([{ kind: 'served', zoneId: 'Z_TILL', atMs: 7_000, waitMs: 0 }]);
  });

  it('does not count a single anchor brushing the till as service', () => {
    const q = createBillingQueues();
    q.inZone(1, counter, QUEUE, 0, 6_000);
    q.inZone(1, counter, TILL, 0, 6_100);
    q.inZone(1, counter, QUEUE, 0, 6_200);
    expect(q.leftZone(1, counter, 9_000, 9_000).map((t) => t.kind)).to.deep.equal(['abandon']);
  });

  it('never abandons when leaving before joining', () => {
    const q = createBillingQueues();
    q.inZone(1, counter, QUEUE, 0, 2_000);
    expect(q.leftZone(1, counter, 3_000, 3_000)).to.deep.equal([]);
  });
});

describe('agent/behaviour/queue across a tracker id switch', () => {
  it('moves the queue state to the new track id', () => {
    const q = createBillingQueues();
    q.inZone(1, counter, QUEUE, 0, 6_000);
    q.rename(1, 9);
    expect(q.isQueued(1, 'Z_TILL')).to.equal(false);
    expect(q.isQueued(9, 'Z_TILL')).to.equal(true);
    expect(q.leftZone(9, counter, 9_000, 9_000).map((t) => t.kind)).to.deep.equal(['abandon']);
  });

  it('forgets every zone state of a track, and only of that track', () => {
    const q = createBillingQueues();
    const other = { ...counter, zone_id: 'Z_OTHER' };
    q.inZone(1, counter, QUEUE, 0, 6_000);
    q.inZone(1, other, QUEUE, 0, 6_000);
    q.inZone(12, counter, QUEUE, 0, 6_000);
    expect(q.heldTracks()).to.equal(2);
    q.forget(1);
    expect(q.heldTracks()).to.equal(1);
    expect([q.isQueued(1, 'Z_TILL'), q.isQueued(1, 'Z_OTHER'), q.isQueued(12, 'Z_TILL')]).to.deep.equal([false, false, true]);
  });
});
