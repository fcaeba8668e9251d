import { expect } from 'chai';
import type { StoreEvent } from '../../../common/event.js';
import { storeLayoutSchema, type StoreLayout } from '../../../common/layout.js';
import { createBehaviour, type Behaviour } from '../../../agent/behaviour/index.js';
import type { TrackedFrame } from '../../../agent/types.js';
import { counterIds, frame, T0, testStore, timeline, walk } from './scene.js';

/** The test store with CAM_DOOR's door lines and zones replaced. */
function withDoorCamera(cam: { door_lines?: unknown[]; zones?: unknown[] }): StoreLayout {
  const base = testStore();
  const door = base.cameras.find((c) => c.camera_id === 'CAM_DOOR')!;
  return storeLayoutSchema.parse({
    ...base,
    cameras: base.cameras.map((c) => (c === door ? { ...door, ...cam } : c)),
  });
}

const make = (): Behaviour => createBehaviour({ store: testStore(), cameraId: 'CAM_DOOR', fps: 10, newId: counterIds() });

/** Runs the frames, handing `layout` to the behaviour just before frame `at`; the flush settles held events. */
async function runSwitching(b: Behaviour, frames: TrackedFrame[], at: number, layout: StoreLayout): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  for (const [i, f] of frames.entries()) {
    if (i === at) b.applyLayout(layout);
    out.push(...(await b.onFrame(f)));
  }
  out.push(...(await b.flush(frames.at(-1)!.frame.timestampMs)));
  return out;
}

const brief = (es: StoreEvent[]) => es.map((e) => (e.zone_id ? `${e.event_type}:${e.zone_id}` : e.event_type));

/** Walk in through the door to `spot`, stand there `stay` frames, walk out: the path and when standing starts. */
function visit(spot: [number, number], stay: number): [number, number][] {
  return [...walk([0.5, 0.97], spot, 15), ...Array<[number, number]>(stay).fill(spot), ...walk(spot, [0.5, 0.97], 15)];
}

function scene(path: [number, number][]): TrackedFrame[] {
  return timeline(path.length + 3, (i) => (path[i] ? [{ id: 1, x: path[i]![0], y: path[i]![1] }] : []));
}

describe('agent/behaviour: a layout pushed live', () => {
  const shelfSpot: [number, number] = [0.2, 0.5];

  it('a removed zone closes the open visit with ZONE_EXIT at once, and the rest of the visit follows the new layout', async () => {
    const noShelf = withDoorCamera({ zones: [testStore().cameras[0]!.zones[0]] }); // Z_TILL only
    const events = await runSwitching(make(), scene(visit(shelfSpot, 40)), 35, noShelf);
    expect(brief(events)).to.deep.equal(['ENTRY', 'ZONE_ENTER:Z_SHELF', 'ZONE_EXIT:Z_SHELF', 'EXIT']);
    const exit = events[2]!;
    // Closed at the last frame seen inside before the switch (frame 34 at 10 fps, entered at frame 14..15).
    expect(exit.dwell_ms).to.be.within(1500, 2200);
    expect(exit.metadata.sku_zone).to.equal('SNACKS');
  });

  it('an added zone under a person standing still enters after its enter_frames, and exits when they leave', async () => {
    const store = testStore();
    const added = withDoorCamera({
      zones: [...store.cameras[0]!.zones, { zone_id: 'Z_BACK', polygon: [[0.6, 0.62], [1, 0.62], [1, 0.78], [0.6, 0.78]] }],
    });
    const spot: [number, number] = [0.8, 0.7]; // in no zone of the original layout
    const events = await runSwitching(make(), scene(visit(spot, 40)), 30, added);
    expect(brief(events)).to.deep.equal(['ENTRY', 'ZONE_ENTER:Z_BACK', 'ZONE_EXIT:Z_BACK', 'EXIT']);
    expect(Date.parse(events[1]!.timestamp)).to.be.at.least(T0 + 3000); // not back-dated before the switch (frame 30)
  });

  it('a moved zone keeps a person it still covers (no exit/enter pair) and exits one it no longer covers', async () => {
    const shelf = testStore().cameras[0]!.zones[1]!;
    const till = testStore().cameras[0]!.zones[0]!;
    const grown = withDoorCamera({ zones: [till, { ...shelf, polygon: [[0, 0.1], [0.45, 0.1], [0.45, 0.65], [0, 0.65]] }] });
    const kept = await runSwitching(make(), scene(visit(shelfSpot, 40)), 35, grown);
    expect(brief(kept)).to.deep.equal(['ENTRY', 'ZONE_ENTER:Z_SHELF', 'ZONE_EXIT:Z_SHELF', 'EXIT']);
    expect(kept[2]!.dwell_ms).to.be.above(4000); // one stay across the switch

    const away = withDoorCamera({ zones: [till, { ...shelf, polygon: [[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]] }] });
    const left = await runSwitching(make(), scene(visit(shelfSpot, 40)), 35, away);
    expect(brief(left)).to.deep.equal(['ENTRY', 'ZONE_ENTER:Z_SHELF', 'ZONE_EXIT:Z_SHELF', 'EXIT']);
    expect(left[2]!.dwell_ms).to.be.below(2600); // ended at the switch, not when they walked out
  });

  it('a door line moved under people standing still invents no crossing; walking on crosses the new line', async () => {
    // Person 1 is inside (entered) and stands at y=0.5; person 2 stands outside at y=0.9 and never came in.
    // The line moves from y=0.8 to y=0.4 (so 1 is now on its outside) and back to 0.95 (so 2 is on its inside).
    const up = withDoorCamera({ door_lines: [{ line_id: 'DOOR', a: [0, 0.4], b: [1, 0.4], inside: 'left', hysteresis: 0.03 }] });
    const down = withDoorCamera({ door_lines: [{ line_id: 'DOOR', a: [0, 0.95], b: [1, 0.95], inside: 'left', hysteresis: 0.03 }] });
    const p1: [number, number][] = [...walk([0.5, 0.97], [0.5, 0.7], 15), ...Array<[number, number]>(60).fill([0.5, 0.7])];
    const frames = timeline(75, (i) => [
      { id: 1, x: p1[i]![0], y: p1[i]![1] },
      { id: 2, x: 0.9, y: 0.9 },
    ]);
    const b = make();
    const out: StoreEvent[] = [];
    for (const [i, f] of frames.entries()) {
      if (i === 25) b.applyLayout(up);
      if (i === 45) b.applyLayout(down);
      out.push(...(await b.onFrame(f)));
    }
    // Person 1 now walks out below the new line: one EXIT, from the line at y=0.95.
    const outWalk = walk([0.5, 0.7], [0.5, 0.99], 10);
    for (const [k, p] of outWalk.entries()) out.push(...(await b.onFrame(frameAt(75 + k, p))));
    out.push(...(await b.flush(frameAt(85, [0.5, 0.99]).frame.timestampMs)));
    expect(brief(out)).to.deep.equal(['ENTRY', 'EXIT']);
    expect(out.every((e) => e.visitor_id === out[0]!.visitor_id)).to.equal(true);
    expect(b.stats().events.ENTRY).to.equal(1);
  });

  it('refuses another store\'s layout or one without this camera, keeping the current one', () => {
    const b = make();
    expect(() => b.applyLayout(testStore({ store_id: 'OTHER_STORE' }))).to.throw(/OTHER_STORE/);
    expect(() => b.applyLayout(testStore({ cameras: [] }))).to.throw(/CAM_DOOR/);
  });
});

/** One frame of person 1 at `p` with person 2 still standing outside. */
function frameAt(index: number, p: [number, number]): TrackedFrame {
  return frame(index, [{ id: 1, x: p[0], y: p[1] }, { id: 2, x: 0.9, y: 0.9 }]);
}
