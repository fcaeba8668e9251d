import { expect } from 'chai';
import { cameraZoneSchema } from '../../../common/layout.js';
import { startDwell, takeDueDwell } from '../../../agent/behaviour/dwell.js';
import { createZoneTracker } from '../../../agent/behaviour/zones.js';

const zone = cameraZoneSchema.parse({ zone_id: 'Z', polygon: [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]] });
const IN: [number, number] = [0.4, 0.4];
const OUT: [number, number] = [0.9, 0.9];

/** Feeds anchors one per 100 ms (10 fps) and returns the transitions. */
function feed(anchors: [number, number][], t0 = 0, trackId = 1, tracker = createZoneTracker([zone])) {
  return { tracker, out: anchors.flatMap((a, i) => tracker.observe(trackId, a, t0 + i * 100)) };
}

describe('agent/behaviour/zones', () => {
  it('enters after enter_frames consecutive frames, back-dated to the first of them', () => {
    const { out } = feed([OUT, IN, IN, IN]);
    expect(out).to.deep.equal([{ kind: 'enter', zoneId: 'Z', atMs: 100 }]);
  });

  it('ignores a visit shorter than enter_frames', () => {
    expect(feed([IN, IN, OUT, IN, IN, OUT]).out).to.deep.equal([]);
  });

  it('exits after exit_frames outside, with dwell from first frame in to first frame out', () => {
    const anchors = [...Array(50).fill(IN), ...Array(5).fill(OUT)];
    const { out } = feed(anchors);
    expect(out.at(-1)).to.deep.equal({ kind: 'exit', zoneId: 'Z', atMs: 5000, dwellMs: 5000 });
  });

  it('keeps the stay through a flicker shorter than exit_frames', () => {
    const anchors = [...Array(10).fill(IN), OUT, OUT, OUT, OUT, ...Array(10).fill(IN)];
    expect(feed(anchors).out.map((t) => t.kind)).to.deep.equal(['enter']);
  });

  it('emits ZONE_DWELL at dwell_ms and every dwell_repeat_ms after', () => {
    const { out } = feed(Array(760).fill(IN)); // 76 s at 10 fps
    expect(out.filter((t) => t.kind === 'dwell').map((t) => t.atMs)).to.deep.equal([10_000, 40_000, 70_000]);
  });

  it('closes open stays of a removed track at its last frame inside', () => {
    const { tracker } = feed(Array(20).fill(IN));
    expect(tracker.occupants('Z')).to.deep.equal([1]);
    expect(tracker.close(1)).to.deep.equal([{ kind: 'exit', zoneId: 'Z', atMs: 1900, dwellMs: 1900 }]);
    expect(tracker.occupants('Z')).to.deep.equal([]);
    expect(tracker.close(1)).to.deep.equal([]);
  });

  it('forgets a track without transitions, and moves stays on rename', () => {
    const { tracker } = feed(Array(20).fill(IN));
    feed(Array(20).fill(IN), 0, 2, tracker);
    tracker.rename(2, 5);
    expect(tracker.occupants('Z')).to.deep.equal([1, 5]);
    tracker.forget(1);
    expect(tracker.occupants('Z')).to.deep.equal([5]);
    expect(tracker.heldTracks()).to.equal(1);
  });
});

describe('agent/behaviour/dwell', () => {
  it('reports once after a long gap instead of a burst of catch-up events', () => {
    const s = startDwell(0, 10_000);
    expect(takeDueDwell(s, 9_999, 30_000)).to.equal(null);
    expect(takeDueDwell(s, 100_000, 30_000)).to.equal(100_000);
    expect(takeDueDwell(s, 100_100, 30_000)).to.equal(null);
    expect(s.nextDueMs).to.equal(100_000 + 30_000 - (100_000 - 10_000) % 30_000);
  });
});

describe('agent/behaviour/zones at the frame edge', () => {
  it('counts an anchor on the bottom edge (box cut by the frame) as inside a zone reaching y = 1', () => {
    const edge = cameraZoneSchema.parse({ zone_id: 'E', polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] });
    const { out } = feed([[0.5, 1], [0.5, 1], [0.5, 1]], 0, 1, createZoneTracker([edge]));
    expect(out.map((t) => t.kind)).to.deep.equal(['enter']);
  });
});
