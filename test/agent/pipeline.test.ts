import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline } from '../../agent/pipeline.js';
import { resolveBinaries } from '../../agent/source/binaries.js';
import type { TrackedFrame } from '../../agent/types.js';
import { DEFAULT_DETECTOR_MODEL } from '../../agent/detector/models.js';

const assets = process.env.STORE_ASSETS_DIR;
const model = assets ? join(assets, 'models', DEFAULT_DETECTOR_MODEL) : '';
const media = (name: string) => (assets ? join(assets, 'media', name) : '');

function need(ctx: Mocha.Context, ...files: string[]): void {
  const missing = files.filter((f) => !f || !existsSync(f));
  if (missing.length) {
    console.log(`      skipped: ${missing.map((m) => m || '$STORE_ASSETS_DIR').join(', ')} not found (set STORE_ASSETS_DIR)`);
    ctx.skip();
  }
}

async function collect(it: AsyncIterable<TrackedFrame>): Promise<TrackedFrame[]> {
  const out: TrackedFrame[] = [];
  for await (const tf of it) out.push(tf);
  return out;
}

describe('agent/pipeline (real ffmpeg + model) @integration', function () {
  this.timeout(10 * 60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'pipeline-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tracks the worker as one person through every frame of worker-zone-detection.gif', async function () {
    need(this, model, media('worker-zone-detection.gif'));
    const p = createPipeline({ source: media('worker-zone-detection.gif'), modelPath: model, startTimeMs: Date.parse('2026-03-01T10:00:00Z') });
    const frames = await collect(p.frames());
    await p.close();
    const s = p.stats();
    expect(frames.map((f) => f.frame.index)).to.deep.equal(frames.map((_, i) => i));
    expect(s.frames).to.equal(frames.length).and.to.be.within(70, 72);
    expect(s.inferred + s.skipped).to.equal(s.frames);
    expect(new Set(frames.flatMap((f) => f.tracks.map((t) => t.trackId))).size).to.equal(1);
    expect(frames.filter((f) => f.tracks.some((t) => t.state === 'tracked')).length).to.be.greaterThan(frames.length * 0.9);
    expect(frames[15]!.frame.timestampMs).to.equal(Date.parse('2026-03-01T10:00:01Z'));
    // Boxes are in source pixels (480x270) and the worker stands in the picture.
    const b = frames[60]!.tracks[0]!.box;
    expect(b.x2).to.be.at.most(480);
    expect(b.y2 - b.y1).to.be.within(60, 270);
  });

  it('runs the model on every 2nd frame with --detect-every 2 and reports boxes in between', async function () {
    need(this, model, media('worker-zone-detection.gif'));
    const p = createPipeline({ source: media('worker-zone-detection.gif'), modelPath: model, detectEvery: 2, motionGate: false });
    const frames = await collect(p.frames());
    await p.close();
    expect(p.stats().inferred).to.equal(Math.ceil(frames.length / 2));
    const between = frames.filter((f) => !f.inferred && f.tracks.length > 0);
    expect(between.length).to.be.greaterThan(frames.length / 2 - 3);
  });

  it('skips the model on a still, empty scene (motion gate) but not without the gate', async function () {
    need(this, model);
    const clip = join(dir, 'still.mp4');
    execFileSync(resolveBinaries({}).ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x808080:s=320x240:r=10', '-t', '3', '-pix_fmt', 'yuv420p', clip]);
    const gated = createPipeline({ source: clip, modelPath: model });
    await collect(gated.frames());
    await gated.close();
    // Frame 0 (no reference yet) and the 2 s safety check at frame 20.
    expect(gated.stats()).to.include({ frames: 30, inferred: 2, skipped: 28, motionSkipped: 28, tracks: 0 });
    const open = createPipeline({ source: clip, modelPath: model, motionGate: false });
    await collect(open.frames());
    await open.close();
    expect(open.stats()).to.include({ frames: 30, inferred: 30, skipped: 0 });
  });

  it('stops when aborted', async function () {
    need(this, model, media('one-by-one-person-detection.mp4'));
    const ac = new AbortController();
    const p = createPipeline({ source: media('one-by-one-person-detection.mp4'), modelPath: model, signal: ac.signal });
    let n = 0;
    for await (const _ of p.frames()) if (++n === 3) ac.abort();
    await p.close();
    expect(n).to.be.within(3, 8);
  });

  it('names a missing model', async () => {
    const p = createPipeline({ source: 'whatever.mp4', modelPath: join(dir, 'nope.onnx') });
    await collect(p.frames()).then(
      () => expect.fail('expected an error'),
      (err: Error) => expect(err.message).to.match(/model file not found: .*nope\.onnx/),
    );
  });
});
