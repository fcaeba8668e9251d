/**
 * ByteTrack against its reference: the peer golden data of Vertical-Beach/ByteTrack-cpp (MIT), 10,174 YOLOX
 * detections over 314 frames of ByteTrack's palace.mp4 and what the official C++ demo tracker outputs for them.
 * Like the peer's own test_BYTETracker.cpp: frame by frame the same number of tracked boxes, each within 0.01 px,
 * and the same ids. Needs $STORE_ASSETS_DIR/peer/bytetrack-palace/; skips, saying why, without.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTracker, REFERENCE_SETTINGS, type TrackerConfig } from '../../../agent/tracker/byte-tracker.js';
import type { Detection } from '../../../agent/types.js';

const DIR = process.env['STORE_ASSETS_DIR'] ? join(process.env['STORE_ASSETS_DIR'], 'peer', 'bytetrack-palace') : '';

interface Row {
  frame_id: string;
  prob?: string;
  track_id?: string;
  x: string;
  y: string;
  width: string;
  height: string;
}
interface Golden {
  fps: number;
  track_buffer: number;
  results: Row[];
}

function byFrame<T>(rows: Row[], map: (r: Row) => T, frames: number): T[][] {
  const out: T[][] = Array.from({ length: frames }, () => []);
  for (const r of rows) out[Number(r.frame_id)]!.push(map(r));
  return out;
}

interface Outcome {
  /** Frames whose tracked boxes all match (count, box within 0.01 px, id). */
  matching: number;
  frames: number;
  firstMismatch?: string;
}

function replay(config: Partial<TrackerConfig>): Outcome {
  const det = JSON.parse(readFileSync(join(DIR, 'detection_results.json'), 'utf8')) as Golden;
  const ref = JSON.parse(readFileSync(join(DIR, 'tracking_results.json'), 'utf8')) as Golden;
  const frames = Math.max(...det.results.map((r) => Number(r.frame_id))) + 1;
  const dets = byFrame(det.results, (r) => ({ box: { x1: +r.x, y1: +r.y, x2: +r.x + +r.width, y2: +r.y + +r.height }, score: Number(r.prob), classId: 0 }) as Detection, frames);
  const want = byFrame(ref.results, (r) => ({ id: Number(r.track_id), x: +r.x, y: +r.y, w: +r.width, h: +r.height }), frames);
  const tracker = new ByteTracker({ frameRate: det.fps, trackBuffer: det.track_buffer, trackThresh: 0.5, newTrackThresh: 0.6, matchThresh: 0.8, ...config });
  let matching = 0;
  let firstMismatch: string | undefined;
  for (let f = 0; f < frames; f++) {
    const got = tracker.update(dets[f]!).tracks.filter((t) => t.state === 'tracked');
    const exp = want[f]!;
    const byId = new Map(got.map((t) => [t.trackId, t.box]));
    const bad = exp.filter((e) => {
      const b = byId.get(e.id);
      return !b || [b.x1 - e.x, b.y1 - e.y, b.x2 - b.x1 - e.w, b.y2 - b.y1 - e.h].some((d) => Math.abs(d) > 0.01);
    });
    if (got.length === exp.length && bad.length === 0) matching++;
    else firstMismatch ??= `frame ${f}: ${got.length} tracked vs ${exp.length} in the reference; first differing reference track ${JSON.stringify(bad[0])}, ours ${JSON.stringify(bad[0] && byId.get(bad[0].id))}`;
  }
  return { matching, frames, ...(firstMismatch ? { firstMismatch } : {}) };
}

describe('agent/tracker/ByteTracker against the official C++ demo (peer golden data)', function () {
  before(function () {
    if (!DIR || !existsSync(join(DIR, 'tracking_results.json'))) {
      console.log(`      skipped: ${DIR || '$STORE_ASSETS_DIR/peer/bytetrack-palace'} has no golden data (set STORE_ASSETS_DIR)`);
      this.skip();
    }
  });

  it('reproduces all 314 frames with the reference settings: same boxes within 0.01 px, same ids', () => {
    const r = replay(REFERENCE_SETTINGS);
    expect(r.frames).to.equal(314);
    expect(r.matching, r.firstMismatch).to.equal(314);
  });

  it('each difference from the C++ demo is an option that changes the outcome: score fusion, matching on the prediction, ids at confirmation', () => {
    const fused = replay({ ...REFERENCE_SETTINGS, fuseScore: true });
    const predicted = replay({ ...REFERENCE_SETTINGS, matchOnPrediction: true });
    const confirmIds = replay({ ...REFERENCE_SETTINGS, idsAtConfirmation: true });
    console.log(`      frames reproduced: C++ demo settings 314; with score fusion ${fused.matching}; matching on the prediction ${predicted.matching}; ids at confirmation ${confirmIds.matching}`);
    for (const r of [fused, predicted, confirmIds]) expect(r.matching).to.be.below(314);
  });
});
