/**
 * Zone presence on real footage at another framing: the third one-by-one customer, who stands still at the counter
 * for about 16 s, through a till camera that sees the counter cropped and scaled (the counter polygon re-projected).
 * Real ffmpeg, YOLOX-nano, ByteTrack and behaviour on the 22 s of the clip around her. The full table over every
 * framing is `npm run eval:zones` (docs/BENCHMARKS.md "Zone robustness").
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLayoutFile } from '../../../common/layout.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { FRAMINGS } from '../../../scripts/zones/framing.js';
import { runFraming, type Truth } from '../../../scripts/zones/run.js';

const ASSETS = process.env['STORE_ASSETS_DIR'];
const ROOT = new URL('../../../', import.meta.url);

describe('zone presence at another framing, on real footage @integration', function () {
  this.timeout(600_000);
  let workDir: string;

  before(function () {
    const need = ['models/yolox_nano.onnx', 'media/one-by-one-person-detection.mp4'];
    const missing = need.filter((p) => !ASSETS || !existsSync(join(ASSETS, p)));
    if (missing.length) {
      console.log(`skipping: STORE_ASSETS_DIR (${ASSETS ?? 'unset'}) lacks ${missing.join(', ')}`);
      this.skip();
    }
    workDir = mkdtempSync(join(tmpdir(), 'zone-framing-'));
  });
  after(() => workDir && rmSync(workDir, { recursive: true, force: true }));

  it('cropped and scaled till view: the customer standing 16 s at the counter is one visit with one queue join', async () => {
    const truth = JSON.parse(readFileSync(new URL('test/fixtures/truth/one-by-one-behaviour.json', ROOT), 'utf8')) as Truth;
    const store = loadLayoutFile(new URL('data/store_layout.json', ROOT).pathname).stores[0]!;
    const [r] = await runFraming({
      clip: join(ASSETS!, 'media/one-by-one-person-detection.mp4'),
      framing: FRAMINGS.find((f) => f.name === 'crop-left-15pc-scaled')!,
      store,
      cameraId: 'CAM_ENTRY_01',
      zoneId: 'Z_COUNTER',
      modelPath: join(ASSETS!, 'models/yolox_nano.onnx'),
      ffmpegPath: resolveBinaries({}).ffmpegPath,
      srcW: 768,
      srcH: 432,
      fps: 10,
      workDir,
      startS: 49,
      durationS: 22,
    });
    if (!r) throw new Error('runFraming returned no result');
    console.log(`      visits ${JSON.stringify(r.visits)}; joins ${r.queueJoins}; ${r.frames} frames, ${r.inferMsMean.toFixed(0)} ms/inference`);
    expect(r.visits, 'counter visits').to.have.length(1);
    expect(r.zoneEnters, 'ZONE_ENTER').to.equal(1);
    expect(r.queueJoins, 'BILLING_QUEUE_JOIN').to.equal(1);
    expect(r.visits[0]!.dwellS, 'dwell (s)').to.be.closeTo(truth.people[2]!.table_s, truth.expected.dwell_tolerance_s);
  });
});
