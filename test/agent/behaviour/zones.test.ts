import { expect } from 'chai';
import { cameraZoneSchema, storeLayoutSchema } from '../../../common/layout.js';
import { startDwell, takeDueDwell } from '../../../agent/behaviour/dwell.js';
import { createZoneTracker } from '../../../agent/behaviour/zones.js';
import { resolveZoneRules, ZONE_DEFAULTS } from '../../../agent/behaviour/zone-rules.js';

const zone = cameraZoneSchema.parse({ zone_id: 'Z', polygon: [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]] });
const IN: [number, number] = [0.4, 0.4];
const OUT: [number, number] = [0.9, 0.9];

/** Feeds anchors one per 100 ms (10 fps) and returns the transitions. */
function feed(anchors: [number, number][], t0 = 0, trackId = 1, tracker = createZoneTracker([zone], 10)) {
  return { tracker, out: anchors.flatMap((a, i) => tracker.observe(trackId, a, t0 + i * 100)) };
}

describe('agent/behaviour/zones', () => {
  it('enters after enter_ms (300 ms: 3 frames at 10 fps) inside, back-dated to the first of them', () => {
    const { out } = feed([OUT, IN, IN, IN]);
    expect(out).to.deep.equal([{ kind: 'enter', zoneId: 'Z', atMs: 100 }]);
  });

  it('ignores a visit shorter than enter_ms', () => {
    expect(feed([IN, IN, OUT, IN, IN, OUT]).out).to.deep.equal([]);
  });

  it('exits after exit_ms (500 ms) outside, with dwell from first frame in to first frame out', () => {
    const anchors = [...Array(50).fill(IN), ...Array(5).fill(OUT)];
    const { out } = feed(anchors);
    expect(out.at(-1)).to.deep.equal({ kind: 'exit', zoneId: 'Z', atMs: 5000, dwellMs: 5000 });
  });

  it('keeps the stay through a flicker shorter than exit_ms', () => {
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

describe('agent/behaviour/zones band and timing', () => {
  const band = ZONE_DEFAULTS.band;
  // The square's bottom edge is y = 0.6: in the band is 0.57..0.63.
  it('does not start a visit for an anchor inside the polygon but within the band', () => {
    expect(feed(Array(30).fill([0.4, 0.6 - band / 2])).out).to.deep.equal([]);
  });

  it('does not end a visit while the anchor stays within the band outside the edge', () => {
    const anchors = [...Array(10).fill(IN), ...Array(100).fill([0.4, 0.6 + band * 0.9])];
    expect(feed(anchors).out.filter((t) => t.kind !== 'dwell')).to.deep.equal([{ kind: 'enter', zoneId: 'Z', atMs: 0 }]);
  });

  it('ends the visit at the first anchor past the band, and one anchor back in the band restarts the count', () => {
    const past: [number, number] = [0.4, 0.6 + band + 0.01];
    const anchors = [...Array(10).fill(IN), past, past, past, [0.4, 0.6 + band / 2], ...Array(5).fill(past)];
    const exits = feed(anchors).out.filter((t) => t.kind === 'exit');
    expect(exits).to.deep.equal([{ kind: 'exit', zoneId: 'Z', atMs: 1400, dwellMs: 1400 }]);
  });

  it('reads enter_ms/exit_ms, else converts the older frame keys with the camera rate', () => {
    const at = (raw: Record<string, unknown>, fps: number) => resolveZoneRules(cameraZoneSchema.parse({ zone_id: 'Z', polygon: zone.polygon, ...raw }), fps);
    expect(at({}, 25)).to.include({ enterMs: 300, exitMs: 500 });
    expect(at({ enter_ms: 1000, exit_ms: 2000 }, 25)).to.include({ enterMs: 1000, exitMs: 2000 });
    expect(at({ enter_frames: 3, exit_frames: 5 }, 25)).to.include({ enterMs: 120, exitMs: 200 });
    expect(at({ band: 0.05 }, 10)).to.include({ bandIn: 0.05, bandOut: 0.05 });
  });

  it('means the same at any frame rate: 300 ms is 3 frames at 10 fps and 5 at 15 fps (rounded timestamps)', () => {
    const tracker = createZoneTracker([zone], 15);
    const at = (i: number) => Math.round((i * 1000) / 15);
    const enters = [0, 1, 2, 3, 4].map((i) => tracker.observe(1, IN, at(i)).length);
    expect(enters).to.deep.equal([0, 0, 0, 0, 1]);
  });

  it('shrinks a zone narrower than twice the band by at most half its inner radius, so it can be entered', () => {
    const strip = cameraZoneSchema.parse({ zone_id: 'S', polygon: [[0.2, 0.5], [0.8, 0.5], [0.8, 0.54], [0.2, 0.54]], band: 0.03 });
    expect(resolveZoneRules(strip, 10).bandIn).to.be.closeTo(0.01, 0.001);
    const { out } = feed(Array(5).fill([0.5, 0.52]), 0, 1, createZoneTracker([strip], 10));
    expect(out.map((t) => t.kind)).to.deep.equal(['enter']);
  });

  it('rejects a layout that gives both enter_ms and enter_frames, naming the field', () => {
    const r = storeLayoutSchema.safeParse({
      store_id: 'S1',
      name: 'S',
      zones: [{ zone_id: 'Z', name: 'Z', type: 'display' }],
      cameras: [{ camera_id: 'C', zones: [{ zone_id: 'Z', polygon: zone.polygon, enter_ms: 300, enter_frames: 3 }] }],
    });
    expect(r.success).to.equal(false);
    expect(r.error!.issues[0]).to.include({ message: 'give enter_ms or enter_frames, not both' });
    expect(r.error!.issues[0]!.path).to.deep.equal(['cameras', 0, 'zones', 0, 'enter_frames']);
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
    const { out } = feed([[0.5, 1], [0.5, 1], [0.5, 1]], 0, 1, createZoneTracker([edge], 10));
    expect(out.map((t) => t.kind)).to.deep.equal(['enter']);
  });
});
