/**
 * npm run bench:detectors [-- --models a.onnx,b.onnx] [--threads 1,2] [--sizes 320,416,640] [--live-frames 300]
 *                          [--run-frames 30] [--no-accuracy] [--json out.json]
 * Every detector found in $STORE_ASSETS_DIR/models and ./assets/models, side by side on the shared clips:
 *  - ms/frame of `session.run` alone (the ceiling), per intra-op thread count and, for models with dynamic axes,
 *    per input size (`--sizes`), on real preprocessed frames;
 *  - pipeline fps and CPU per live 10 fps camera (node + ffmpeg CPU seconds per second of video) with
 *    detect-every 2 and the motion gate, and the ratio pipeline fps / ceiling fps of the same run;
 *  - accuracy of the tracks against every truth file of test/fixtures/truth/*-detection.json (deployed
 *    settings: every frame, motion gate on).
 * Prints one JSON line per measurement and a markdown table with the load average (the machine may be shared).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDetector, type Detector } from '../agent/detector/detector.js';
import { loadTruth, scoreTracks, trackSpans } from '../agent/eval.js';
import { createPipeline } from '../agent/pipeline.js';
import { resolveBinaries } from '../agent/source/binaries.js';
import { openSource } from '../agent/source/video-source.js';
import { isAppError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';

const ROOT = resolve(import.meta.dirname, '..');
const TRUTH_DIR = join(ROOT, 'test/fixtures/truth');
const LIVE_CLIP = 'one-by-one-person-detection.mp4'; // a 10 fps camera

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const load = () => round(loadavg()[0]!, 1);
const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** CPU seconds of reaped children (ffmpeg): cutime + cstime of /proc/self/stat. */
const childCpuS = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
};

/** Every .onnx file under the asset folders that the detector accepts; the others are listed with why. */
async function findDetectors(dirs: string[], only?: string[]): Promise<{ path: string; spec: Detector['spec'] }[]> {
  const found: { path: string; spec: Detector['spec'] }[] = [];
  for (const dir of dirs.map((d) => join(d, 'models')).filter(existsSync)) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.onnx')).sort()) {
      if (only && !only.includes(name)) continue;
      if (found.some((f) => basename(f.path) === name)) continue;
      try {
        const det = await createDetector({ modelPath: join(dir, name), threads: 1 });
        found.push({ path: join(dir, name), spec: det.spec });
        await det.close();
      } catch (err) {
        console.error(`bench:detectors: skipping ${name}: ${(err as Error).message.slice(0, 200)}`);
      }
    }
  }
  return found;
}

/** session.run alone over real frames of the live clip, two passes after a warm-up: ms per frame. */
type Size = { width: number; height: number } | undefined;

async function runMs(model: string, threads: number, clip: string, frames: number, size: Size): Promise<number> {
  const det = await createDetector({ modelPath: model, threads, ...(size ? { inputSize: size } : {}) });
  const src = await openSource({ input: clip, inputWidth: det.inputWidth, inputHeight: det.inputHeight, letterboxAlign: det.spec.letterboxAlign, ...resolveBinaries(process.env) });
  const tensors: Float32Array[] = [];
  for await (const f of src.frames()) if (f.index % 10 === 0 && tensors.push(det.toTensor(f.rgb)) >= frames) break;
  src.close();
  await det.runTensor(tensors[0]!);
  const t0 = performance.now();
  for (let pass = 0; pass < 2; pass++) for (const t of tensors) await det.runTensor(t);
  const ms = (performance.now() - t0) / (2 * tensors.length);
  await det.close();
  return ms;
}

/** The pipeline as a live 10 fps camera would run it (detect-every 2, motion gate), as fast as it goes. */
async function live(model: string, threads: number, clip: string, maxFrames: number, size: Size) {
  const c0 = cpuS();
  const k0 = childCpuS();
  const p = createPipeline({ source: clip, modelPath: model, threads, detectEvery: 2, motionGate: true, logger: silentLogger(), ...(size ? { inputSize: size } : {}), ...resolveBinaries(process.env) });
  let n = 0;
  for await (const _ of p.frames()) if (++n >= maxFrames) break;
  await p.close();
  await new Promise((r) => setTimeout(r, 200)); // ffmpeg reaped, its CPU in cutime
  const s = p.stats();
  const cpu = cpuS() - c0 + (childCpuS() - k0);
  return { fps: s.fps, inferred: s.inferred, frames: s.frames, coresPerCamera: cpu / (s.frames / s.sourceFps) };
}

async function accuracy(model: string, threads: number, assetDirs: string[]) {
  const out: { clip: string; people: number; tracks: number; fragments: number; missed: number; spurious: number; minCoverage: number }[] = [];
  for (const file of readdirSync(TRUTH_DIR).filter((f) => f.endsWith('-detection.json')).sort()) {
    const truth = loadTruth(join(TRUTH_DIR, file));
    const clip = assetDirs.map((d) => join(d, 'media', truth.clip ?? '')).find(existsSync);
    if (!truth.clip || !clip) continue;
    const { spans } = await trackSpans({ source: clip, modelPath: model, threads, detectEvery: 1, logger: silentLogger() });
    const r = scoreTracks(spans, truth);
    out.push({ clip: truth.clip, people: r.people, tracks: r.tracks, fragments: r.fragments, missed: r.missed, spurious: r.spurious, minCoverage: round(Math.min(...r.visits.map((v) => v.coverage), 1), 2) });
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string' }, threads: { type: 'string', default: '1,2' }, sizes: { type: 'string', default: '320,416,640' }, 'live-frames': { type: 'string', default: '300' },
      'run-frames': { type: 'string', default: '30' }, 'no-accuracy': { type: 'boolean', default: false }, json: { type: 'string' },
    },
  });
  const dirs = [...(process.env.STORE_ASSETS_DIR ? [process.env.STORE_ASSETS_DIR] : []), join(ROOT, 'assets')];
  const liveClip = dirs.map((d) => join(d, 'media', LIVE_CLIP)).find(existsSync);
  if (!liveClip) throw new Error(`media/${LIVE_CLIP} not found in ${dirs.join(' or ')} (npm run assets)`);
  const threadsList = a.threads.split(',').map(Number);
  if (threadsList.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads must be a list of positive integers, got "${a.threads}"`);
  const [liveFrames, runFrames] = [Number(a['live-frames']), Number(a['run-frames'])];
  const sizes = a.sizes.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 32 || n % 32 !== 0)) throw new Error(`--sizes must be multiples of 32, got "${a.sizes}"`);
  const models = await findDetectors(dirs, a.models?.split(','));
  if (!models.length) throw new Error(`no detector model in ${dirs.map((d) => join(d, 'models')).join(' or ')} (npm run assets)`);
  const rows: Record<string, unknown>[] = [];
  for (const m of models) {
    // A fixed input size is the model's; dynamic axes are tried at every --sizes value.
    const sizeList: Size[] = m.spec.fixedInput ? [undefined] : sizes.map((n) => ({ width: n, height: n }));
    for (const size of sizeList) for (const threads of threadsList) {
      const loadBefore = load();
      const ms = await runMs(m.path, threads, liveClip, runFrames, size);
      const l = await live(m.path, threads, liveClip, liveFrames, size);
      const input = size ? `${size.width}x${size.height}` : `${m.spec.inputWidth}x${m.spec.inputHeight} (fixed)`;
      const row = {
        model: basename(m.path), head: m.spec.head, input, threads, runMs: round(ms), ceilingFps: round(1000 / ms),
        pipelineFps: round(l.fps), inferred: `${l.inferred}/${l.frames}`, ratioToCeiling: round(l.fps / (1000 / ms), 2), coresPerLiveCamera: round(l.coresPerCamera, 2), load: `${loadBefore}→${load()}`,
      };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  const acc: Record<string, unknown>[] = [];
  if (!a['no-accuracy']) {
    for (const m of models) {
      for (const r of await accuracy(m.path, Math.max(...threadsList), dirs)) {
        const row = { model: basename(m.path), ...r };
        console.log(JSON.stringify(row));
        acc.push(row);
      }
    }
  }
  const table = (rs: Record<string, unknown>[]) => (rs.length ? [`| ${Object.keys(rs[0]!).join(' | ')} |`, `|${Object.keys(rs[0]!).map(() => ' --- ').join('|')}|`, ...rs.map((r) => `| ${Object.values(r).join(' | ')} |`)].join('\n') : '');
  console.log(`\nSpeed (load average ${load()} on ${(await import('node:os')).availableParallelism()} cores; live camera = ${LIVE_CLIP}, first ${liveFrames} frames, detect-every 2, motion gate)\n${table(rows)}`);
  if (acc.length) console.log(`\nTrack accuracy against test/fixtures/truth (every frame, motion gate on)\n${table(acc)}`);
  if (a.json) writeFileSync(a.json, JSON.stringify({ speed: rows, accuracy: acc }, null, 1));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`bench:detectors: ${isAppError(err) ? err.message : (err as Error).message}`);
  process.exit(1);
});
