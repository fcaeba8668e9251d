import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ByteTracker } from '../../../agent/tracker/byte-tracker.js';
import { iou } from '../../../agent/tracker/geometry.js';
import type { Box, Detection } from '../../../agent/types.js';

/** A deterministic PRNG (mulberry32) so jitter is reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  /** Ground-truth box at frame f, or undefined when out of view. */
  at(f: number): Box | undefined;
}

function walker(x0: number, y0: number, vx: number, vy: number, w: number, h: number, from = 0, to = Infinity): Person {
  return {
    at: (f) => (f < from || f > to ? undefined : { x1: x0 + vx * (f - from), y1: y0 + vy * (f - from), x2: x0 + vx * (f - from) + w, y2: y0 + vy * (f - from) + h }),
  };
}

type Detect = (f: number, p: number, box: Box) => Detection | undefined;

/**
 * Runs the tracker over `frames` frames and, for each person, collects the ids of the track that best
 * overlaps their true box (IoU > 0.3). A kept identity is exactly one id per person, never shared.
 */
function run(people: Person[], frames: number, detect: Detect, tracker = new ByteTracker()): { idsPerPerson: Set<number>[]; allIds: Set<number> } {
  const idsPerPerson = people.map(() => new Set<number>());
  const allIds = new Set<number>();
  for (let f = 0; f < frames; f++) {
    const dets: Detection[] = [];
    people.forEach((p, i) => {
      const b = p.at(f);
      const d = b && detect(f, i, b);
      if (d) dets.push(d);
    });
    const { tracks } = tracker.update(dets);
    for (const t of tracks) {
      allIds.add(t.trackId);
    }
    // Each person's track is the tracked box that overlaps them most (boxes of crossing people overlap each other).
    people.forEach((p, i) => {
      const b = p.at(f);
      if (!b) return;
      let best: { id: number; v: number } | undefined;
      for (const t of tracks) {
        const v = t.state === 'tracked' ? iou(b, t.box) : 0;
        if (v > 0.3 && (!best || v > best.v)) best = { id: t.trackId, v };
      }
      if (best) idsPerPerson[i]!.add(best.id);
    });
  }
  return { idsPerPerson, allIds };
}

const exact: Detect = (_f, _p, box) => ({ box, score: 0.9, classId: 0 });

describe('agent/tracker/byte-tracker', () => {
  it('gives one stable id to one walking person and removes it after the buffer', () => {
    const tracker = new ByteTracker({ frameRate: 30 });
    const p = walker(10, 50, 3, 0, 60, 160, 0, 40);
    const removedAt: number[] = [];
    const ids = new Set<number>();
    for (let f = 0; f < 100; f++) {
      const b = p.at(f);
      const u = tracker.update(b ? [{ box: b, score: 0.9, classId: 0 }] : []);
      u.tracks.forEach((t) => ids.add(t.trackId));
      if (u.removed.length) removedAt.push(f);
    }
    expect([...ids]).to.deep.equal([1]);
    // Last seen at frame 40; removed once more than 30 updates have passed without it.
    expect(removedAt).to.deep.equal([71]);
    expect(tracker.hasActive()).to.equal(false);
  });

  it('keeps identities of two people crossing, the rear one seen only weakly while covered', () => {
    const a = walker(0, 100, 6, 0, 70, 180);
    const b = walker(560, 120, -6, 0, 60, 160);
    const r = run([a, b], 100, (f, p, box) => {
      const other = (p === 0 ? b : a).at(f)!;
      // The person further back (b, smaller) is mostly hidden while they overlap: a weak box, as in ByteTrack's paper.
      const covered = p === 1 && iou(box, other) > 0.2;
      return { box, score: covered ? 0.3 : 0.9, classId: 0 };
    });
    expect(r.idsPerPerson.map((s) => s.size)).to.deep.equal([1, 1]);
    expect(r.allIds.size).to.equal(2);
    expect([...r.idsPerPerson[0]!][0]).to.not.equal([...r.idsPerPerson[1]!][0]);
  });

  it('keeps the id of a person occluded for 20 frames', () => {
    const p = walker(0, 100, 4, 1, 60, 160);
    const r = run([p], 120, (f, _p, box) => (f >= 40 && f < 60 ? undefined : { box, score: 0.85, classId: 0 }));
    expect(r.allIds.size).to.equal(1);
    expect(r.idsPerPerson[0]!.size).to.equal(1);
  });

  it('keeps identities when the detector drops every 3rd frame', () => {
    const people = [walker(0, 80, 5, 0, 60, 160), walker(600, 200, -4, -1, 65, 170), walker(300, 0, 0, 3, 55, 150)];
    const r = run(people, 120, (f, _p, box) => (f % 3 === 2 ? undefined : { box, score: 0.8, classId: 0 }));
    expect(r.idsPerPerson.map((s) => s.size)).to.deep.equal([1, 1, 1]);
    expect(r.allIds.size).to.equal(3);
  });

  it('keeps identities under jittery boxes and scores', () => {
    const rand = rng(42);
    const people = [walker(0, 80, 4, 0.5, 60, 160), walker(500, 260, -3, -0.5, 70, 180)];
    const r = run(people, 150, (_f, _p, b) => {
      const w = b.x2 - b.x1;
      const h = b.y2 - b.y1;
      const j = () => (rand() - 0.5) * 0.1; // ±5% of the box size per edge
      return { box: { x1: b.x1 + j() * w, y1: b.y1 + j() * h, x2: b.x2 + j() * w, y2: b.y2 + j() * h }, score: 0.4 + rand() * 0.55, classId: 0 };
    });
    expect(r.idsPerPerson.map((s) => s.size)).to.deep.equal([1, 1]);
    expect(r.allIds.size).to.equal(2);
  });

  it('does not start tracks from low-score boxes or one-frame flickers', () => {
    const tracker = new ByteTracker();
    const seen = new Set<number>();
    for (let f = 0; f < 50; f++) {
      const dets: Detection[] = [{ box: { x1: 10, y1: 10, x2: 60, y2: 160 }, score: 0.45, classId: 0 }];
      if (f % 7 === 3) dets.push({ box: { x1: 300 + f * 40, y1: 10, x2: 350 + f * 40, y2: 160 }, score: 0.9, classId: 0 });
      tracker.update(dets).tracks.forEach((t) => seen.add(t.trackId));
    }
    expect(seen.size).to.equal(0);
  });

  it('scales the lost buffer with the frame rate', () => {
    const tracker = new ByteTracker({ frameRate: 10 }); // 30 frames at 30 fps → 10 updates at 10 fps
    const box = { x1: 0, y1: 0, x2: 50, y2: 150 };
    tracker.update([{ box, score: 0.9, classId: 0 }]);
    tracker.update([{ box, score: 0.9, classId: 0 }]);
    let removedAfter = -1;
    for (let k = 1; k <= 20 && removedAfter < 0; k++) if (tracker.update([]).removed.length) removedAfter = k;
    expect(removedAfter).to.equal(11);
  });

  it('peeks boxes between detector runs along the velocity', () => {
    const tracker = new ByteTracker();
    for (let f = 0; f < 20; f++) tracker.update([{ box: { x1: 10 * f, y1: 0, x2: 10 * f + 50, y2: 150 }, score: 0.9, classId: 0 }]);
    const [t] = tracker.peek(0.5);
    expect(t!.box.x1).to.be.closeTo(195, 3);
  });

  it('keeps one id for a person walking out of the frame edge (predictions clipped like detections)', () => {
    // Real detector output (see the fixture): the person leaves by the right edge (x = 768) and the clipped box
    // shrinks to a sliver while the unclipped Kalman prediction runs on past the edge.
    const fx = JSON.parse(readFileSync(new URL('./fixtures/one-by-one-person3.json', import.meta.url), 'utf8')) as { frames: number[][][] };
    const run = (clip: boolean, pixelIou = true) => {
      const tracker = new ByteTracker({ frameRate: 10, pixelIou, ...(clip ? { frameWidth: 768, frameHeight: 432 } : {}) });
      const ids = new Set<number>();
      for (const dets of fx.frames) {
        const u = tracker.update(dets.map(([x1, y1, x2, y2, score]) => ({ box: { x1: x1!, y1: y1!, x2: x2!, y2: y2! }, score: score!, classId: 0 })));
        u.tracks.forEach((t) => ids.add(t.trackId));
      }
      return ids.size;
    };
    expect(run(true)).to.equal(1);
    expect(run(true, false)).to.equal(1);
    // Unclipped, the continuous IoU loses the sliver and starts a second track; the reference's +1-pixel IoU
    // happens to keep this one, but only clipping keeps it whatever the box sizes.
    expect(run(false, false)).to.equal(2);
  });

  it('predicts across a gap of several steps (live frames dropped), keeping the id a one-step prediction loses', () => {
    // 40 px wide, 10 px a step: after a 4-step gap the person is 40 px on, 30 px from a 1-step guess (IoU 0.14).
    const p = walker(0, 100, 10, 0, 40, 100);
    const det = (f: number): Detection[] => [{ box: p.at(f)!, score: 0.9, classId: 0 }];
    const ids = (steps: number | undefined) => {
      const t = new ByteTracker({ frameWidth: 2000, frameHeight: 1000 });
      for (let f = 0; f < 6; f++) t.update(det(f));
      const before = t.update(det(6)).tracks[0]!.trackId;
      const after = t.update(det(10), steps).tracks.filter((x) => x.state === 'tracked').map((x) => x.trackId);
      return { before, after };
    };
    const across = ids(4);
    expect(across.after, 'gap of 4 steps told').to.deep.equal([across.before]);
    const blind = ids(undefined);
    expect(blind.after, 'gap not told: the old track is not matched').to.not.include(blind.before);
  });
});
