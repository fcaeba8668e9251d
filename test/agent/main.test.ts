import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { truncation } from '../../agent/source/completeness.js';
import { runTs } from '../../scripts/lib/child.js';

const assets = process.env.STORE_ASSETS_DIR;
const clip = assets ? join(assets, 'media', 'one-by-one-person-detection.mp4') : '';
const model = assets ? join(assets, 'models', 'yolov8n_int8.onnx') : '';

describe('agent/source/completeness (pure)', () => {
  it('flags a file that ends well before its declared frame count, within a small tolerance', () => {
    expect(truncation(120, 1394)).to.deep.equal({ read: 120, declared: 1394 });
    expect(truncation(1394, 1394)).to.equal(null);
    expect(truncation(1390, 1394)).to.equal(null); // container counts can be approximate
    expect(truncation(20, 23)).to.deep.equal({ read: 20, declared: 23 });
    expect(truncation(5, undefined)).to.equal(null); // unknown count (live, some containers)
  });
});

describe('npm run agent on bad input (real ffmpeg and model) @integration', function () {
  this.timeout(5 * 60_000);
  let dir: string;
  beforeEach(function () {
    if (!existsSync(clip) || !existsSync(model)) {
      console.log('      skipped: the sample clip or model is not under $STORE_ASSETS_DIR');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'agent-main-'));
  });
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('a truncated mp4 warns with frames read against expected and exits 2, not 0', async () => {
    const cut = join(dir, 'cut.mp4');
    writeFileSync(cut, readFileSync(clip).subarray(0, 400_000)); // ffmpeg reads it to the cut and exits 0
    const r = runTs('agent/main.ts', ['--source', cut, '--model', model, '--detect-every', '30', '--threads', '1']);
    const warned = await r.waitFor((l) => l.event === 'input_truncated');
    expect(warned.frames_expected).to.equal(1394);
    expect(warned.frames_read).to.be.within(1, 1000);
    const { code } = await r.exited;
    expect(code).to.equal(2);
    expect(r.stderr.join('')).to.match(/input ended after \d+ of 1394 frames/);
  });

  it('a file that is not a video exits 2 (bad input), naming it', async () => {
    const notVideo = join(dir, 'notes.mp4');
    writeFileSync(notVideo, 'this is not a video\n');
    const r = runTs('agent/main.ts', ['--source', notVideo, '--model', model]);
    expect((await r.exited).code).to.equal(2);
    expect(r.stderr.join('')).to.include('notes.mp4');
  });
});
