/**
 * npm run eval:zones -- [--model yolox_nano.onnx] [--detect-every 1] [--framing name[,name…]] [--band 0.03]
 *                       [--shifts -0.02,-0.01,0,0.01,0.02] [--hard-border]
 * Zone robustness on real footage: renders the one-by-one clip at several framings (scripts/zones/framing.ts), runs
 * the agent on each with the counter polygon re-projected, and, for each border shift (the counter polygon moved up
 * or down a little, as a user drawing it could), prints the counter visits, queue joins and the dwell error against
 * the by-eye truth. `--hard-border` adds each border with band 0 and raw anchors (the rule without hysteresis).
 * Every run must give one visit and one queue join per person, each dwell within the truth's tolerance; the exit
 * code is 1 otherwise. Assets come from STORE_ASSETS_DIR (or ./assets).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../common/errors.js';
import { loadLayoutFile } from '../common/layout.js';
import { resolveBinaries } from '../agent/source/binaries.js';
import { findAsset } from './lib/assets.js';
import { FRAMINGS } from './zones/framing.js';
import { judge, runFraming, type BorderVariant, type Truth } from './zones/run.js';

const CLIP = 'one-by-one-person-detection.mp4';
const CAMERA = 'CAM_ENTRY_01';
const ZONE = 'Z_COUNTER';
const ROOT = new URL('../', import.meta.url);

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'yolox_nano.onnx' },
      'detect-every': { type: 'string', default: '1' },
      framing: { type: 'string' },
      band: { type: 'string' },
      shifts: { type: 'string', default: '-0.02,-0.01,0,0.01,0.02' },
      'hard-border': { type: 'boolean', default: false },
    },
  });
  const detectEvery = Number(a['detect-every']);
  if (!Number.isInteger(detectEvery) || detectEvery < 1) throw new AppError('BAD_REQUEST', `--detect-every: an integer ≥ 1 (got ${a['detect-every']})`);
  const band = a.band === undefined ? undefined : Number(a.band);
  if (band !== undefined && !(band >= 0 && band <= 0.2)) throw new AppError('BAD_REQUEST', `--band: a number in 0..0.2 (got ${a.band})`);
  const variants: BorderVariant[] = a.shifts.split(',').map((v) => {
    const shiftY = Number(v);
    if (!Number.isFinite(shiftY) || Math.abs(shiftY) > 0.2) throw new AppError('BAD_REQUEST', `--shifts: numbers in -0.2..0.2 (got ${v})`);
    return { name: `${shiftY >= 0 ? '+' : ''}${shiftY}`, shiftY, ...(band === undefined ? {} : { band }) };
  });
  // The same borders with no band and raw anchors: what the band and the median add, on the very same tracks.
  if (a['hard-border']) variants.push(...variants.map((v) => ({ ...v, name: `${v.name} hard`, band: 0, windowMs: 0 })));
  const wanted = a.framing?.split(',');
  const framings = wanted ? FRAMINGS.filter((f) => wanted.includes(f.name)) : FRAMINGS;
  if (framings.length === 0) throw new AppError('BAD_REQUEST', `--framing: none of ${wanted} (known: ${FRAMINGS.map((f) => f.name).join(', ')})`);

  const modelPath = a.model.includes('/') ? a.model : findAsset('models', a.model, env);
  const clip = findAsset('media', CLIP, env);
  const truth = JSON.parse(readFileSync(new URL('test/fixtures/truth/one-by-one-behaviour.json', ROOT), 'utf8')) as Truth;
  const store = loadLayoutFile(new URL('data/store_layout.json', ROOT).pathname).stores[0]!;
  const { ffmpegPath } = resolveBinaries({ FFMPEG_PATH: env.FFMPEG_PATH });
  const workDir = mkdtempSync(join(tmpdir(), 'eval-zones-'));

  console.log(`eval:zones  model ${modelPath}  detect-every ${detectEvery}  band ${band ?? 'layout/default'}  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`border shifts (zone and till polygons moved down, normalised): ${variants.map((v) => v.name).join(' ')}`);
  console.log('| framing | size | border | visits | queue joins | ZONE_ENTER | max dwell error (s) | dwell (s); truth ' + truth.people.map((p) => p.table_s).join(', ') + ' | |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let failed = 0;
  let runs = 0;
  try {
    for (const framing of framings) {
      const results = await runFraming({ clip, framing, store, cameraId: CAMERA, zoneId: ZONE, modelPath, ffmpegPath, srcW: 768, srcH: 432, fps: 10, workDir, detectEvery }, variants);
      for (const r of results) {
        const j = judge(r, truth);
        runs++;
        if (!j.ok) failed++;
        const cells = [framing.name, `${framing.out.w}×${framing.out.h}`, r.variant, r.visits.length, r.queueJoins, r.zoneEnters, j.maxDwellErrS.toFixed(1)];
        console.log(`| ${cells.join(' | ')} | ${r.visits.map((v) => v.dwellS.toFixed(1)).join(', ')} | ${j.ok ? 'ok' : `FAIL: ${j.why.join('; ')}`} |`);
      }
      console.log(`  (${framing.name}: ${results[0]!.frames} frames, ${results[0]!.inferMsMean.toFixed(0)} ms/inference, load average ${loadavg()[0]!.toFixed(1)})`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  console.log(`${runs - failed}/${runs} framing × border runs ok; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`eval:zones: ${isAppError(err) ? err.message : (err as Error).stack}`);
    process.exit(isAppError(err) && err.code === 'BAD_REQUEST' ? 2 : 1);
  },
);
