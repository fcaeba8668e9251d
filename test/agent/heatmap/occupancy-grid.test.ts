import { expect } from 'chai';
import { createOccupancyGrid } from '../../../agent/heatmap/occupancy-grid.js';
import { heatmapGridSchema } from '../../../common/heatmap.js';
import type { Track, TrackedFrame } from '../../../agent/types.js';

const W = 800;
const H = 400;
const T0 = Date.parse('2026-03-03T10:00:00Z');

function frame(t: number, tracks: Partial<Track>[], removed: number[] = []): TrackedFrame {
  return {
    frame: { index: 0, timestampMs: t, sourceWidth: W, sourceHeight: H, rgb: new Uint8Array(0), letterbox: { scale: 1, padX: 0, padY: 0, inputWidth: W, inputHeight: H } },
    tracks: tracks.map((k, i) => ({ trackId: i + 1, box: { x1: 0, y1: 0, x2: 10, y2: 10 }, score: 0.9, state: 'tracked', age: 10, ...k })),
    removed,
    inferred: true,
  };
}

describe('agent/heatmap occupancy grid', () => {
  it('counts a track where its anchor (bottom centre) stands', () => {
    const g = createOccupancyGrid({ cols: 4, rows: 2, sampleMs: 1000 });
    // Box centred at x = 500 (cell 2 of 4: 400..600), bottom at y = 300 (row 1 of 2: 200..400); its top is in row 0.
    g.add(frame(T0, [{ trackId: 7, box: { x1: 450, y1: 50, x2: 550, y2: 300 } }]));
    const [grid] = g.flushAll();
    expect(grid!.counts).to.deep.equal([0, 0, 0, 0, 0, 0, 1, 0]);
    expect(grid!.minute_ts).to.equal(T0);
    expect(heatmapGridSchema.safeParse(grid).success).to.equal(true);
  });

  it('samples each track at most once per sampleMs, so counts are person-seconds at any fps', () => {
    const g = createOccupancyGrid({ cols: 1, rows: 1, sampleMs: 1000 });
    for (let i = 0; i < 30; i++) g.add(frame(T0 + i * 100, [{ trackId: 1 }, { trackId: 2 }])); // 3 s at 10 fps, two people
    expect(g.flushAll()[0]!.counts).to.deep.equal([6]);
  });

  it('ignores coasting (lost) tracks and forgets removed ones', () => {
    const g = createOccupancyGrid({ cols: 1, rows: 1, sampleMs: 1000 });
    g.add(frame(T0, [{ trackId: 1, state: 'lost' }]));
    expect(g.flushAll()).to.deep.equal([]);
    g.add(frame(T0, [{ trackId: 1 }]));
    g.add(frame(T0 + 100, [], [1]));
    g.add(frame(T0 + 200, [{ trackId: 1 }])); // an id seen again after removal starts a new sampling period
    expect(g.flushAll()[0]!.counts).to.deep.equal([2]);
  });

  it('hands back each minute once it has ended, oldest first, and clamps anchors on the frame edge', () => {
    const g = createOccupancyGrid({ cols: 2, rows: 2, sampleMs: 1000 });
    g.add(frame(T0 + 59_000, [{ box: { x1: 790, y1: 300, x2: 810, y2: 400 } }]));
    g.add(frame(T0 + 61_000, [{ box: { x1: -20, y1: 0, x2: 10, y2: 100 } }]));
    expect(g.flush(T0 + 59_999)).to.deep.equal([]);
    const first = g.flush(T0 + 60_000);
    expect(first.map((x) => x.minute_ts)).to.deep.equal([T0]);
    expect(first[0]!.counts).to.deep.equal([0, 0, 0, 1]);
    const rest = g.flushAll();
    expect(rest.map((x) => [x.minute_ts, x.counts])).to.deep.equal([[T0 + 60_000, [1, 0, 0, 0]]]);
  });

  it('refuses a grid without cells', () => {
    expect(() => createOccupancyGrid({ cols: 0 })).to.throw(RangeError, /cols and rows/);
  });
});
