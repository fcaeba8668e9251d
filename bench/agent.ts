/**
 * npm run bench:agent -- --clip <file> [--model m.onnx] [--threads 2] [--detect-every 1] [--no-motion-gate]
 *                        [--max-frames N] [--ceiling-frames 60]
 * Processes a clip as fast as possible through the whole vision pipeline (ffmpeg → YOLO → ByteTrack) and prints
 * frames/s, the real-time factor, the CPU a live camera of this clip would cost (node + ffmpeg CPU seconds per
 * second of video), and peak RSS. In the same run it measures the ceiling: `session.run` alone, in a loop, on the
 * same preprocessed frames (two passes after the pipeline run), and prints pipeline fps / ceiling fps (comparable with --detect-every 1 and
 * --no-motion-gate, where both run the model on every frame).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { createDetector } from '../agent/detector/detector.js';
import { createPipeline } from '../agent/pipeline.js';
import { resolveBinaries } from '../agent/source/binaries.js';
import { openSource } from '../agent/source/video-source.js';
import { DEFAULT_DETECTOR_MODEL } from '../agent/detector/models.js';

/** CPU seconds of this process's reaped children (ffmpeg), from /proc/self/stat cutime + cstime. */
function childCpuS(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ", cutime and cstime are fields 16 and 17 of stat(5), i.e. indexes 13 and 14 here.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

function selfCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      clip: { type: 'string' },
      model: { type: 'string' },
      threads: { type: 'string', default: '2' },
      'detect-every': { type: 'string', default: '1' },
      'no-motion-gate': { type: 'boolean', default: false },
      'max-frames': { type: 'string' },
      'ceiling-frames': { type: 'string', default: '60' },
    },
  });
  const usage = 'usage: npm run bench:agent -- --clip <file> [--model m.onnx] [--threads 2] [--detect-every 1] [--no-motion-gate]';
  if (!a.clip) throw new Error(`--clip is required (${usage})`);
  const model = a.model ?? (env.STORE_ASSETS_DIR ? join(env.STORE_ASSETS_DIR, 'models', DEFAULT_DETECTOR_MODEL) : undefined);
  if (!model) throw new Error(`--model is required when STORE_ASSETS_DIR is not set (${usage})`);
  const int = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
  const threads = int('threads', a.threads);
  const detectEvery = int('detect-every', a['detect-every']);
  const maxFrames = a['max-frames'] ? int('max-frames', a['max-frames']) : Infinity;
  const ceilingFrames = int('ceiling-frames', a['ceiling-frames']);
  const bins = resolveBinaries(env);

  // The pipeline.
  const cpu0 = selfCpuS();
  const child0 = childCpuS();
  const p = createPipeline({ source: a.clip, modelPath: model, threads, detectEvery, motionGate: !a['no-motion-gate'], logger: silentLogger(), ...bins });
  let n = 0;
  for await (const _ of p.frames()) if (++n >= maxFrames) break;
  await p.close();
  await new Promise((r) => setTimeout(r, 200)); // let ffmpeg be reaped so its CPU lands in cutime
  const ffmpegCpuS = childCpuS() - child0;
  const cpuS = selfCpuS() - cpu0 + ffmpegCpuS;
  const s = p.stats();
  const videoS = s.frames / s.sourceFps;
  const wallS = s.frames / s.fps;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;

  // The ceiling: session.run alone on the same preprocessed frames, in two passes (the machine is shared:
  // both are printed). Measured after the pipeline so its tensors do not count in the pipeline's peak RSS.
  const det = await createDetector({ modelPath: model, threads });
  const src = await openSource({ input: a.clip, inputWidth: det.inputWidth, inputHeight: det.inputHeight, letterboxAlign: det.spec.letterboxAlign, ...bins });
  const tensors: Float32Array[] = [];
  for await (const f of src.frames()) if (tensors.push(det.toTensor(f.rgb)) >= ceilingFrames) break;
  src.close();
  await det.runTensor(tensors[0]!); // warm-up
  const ceiling = async (): Promise<number> => {
    const c0 = performance.now();
    for (const t of tensors) await det.runTensor(t);
    return tensors.length / ((performance.now() - c0) / 1000);
  };
  const ceilingPass1 = await ceiling();
  const ceilingPass2 = await ceiling();

  const ceilingFps = (ceilingPass1 + ceilingPass2) / 2;
  await det.close();

  const pipelineFps = s.fps;
  const result = {
    clip: a.clip,
    model,
    threads,
    detectEvery,
    motionGate: !a['no-motion-gate'],
    frames: s.frames,
    inferred: s.inferred,
    skipped: s.skipped,
    motionSkipped: s.motionSkipped,
    wallS: round(wallS),
    pipelineFps: round(pipelineFps),
    realtimeFactor: round(pipelineFps / s.sourceFps),
    inferMsMean: round(s.inferMsMean),
    ceilingFps: round(ceilingFps),
    ceilingFpsPass1: round(ceilingPass1),
    ceilingFpsPass2: round(ceilingPass2),
    ceilingMsPerFrame: round(1000 / ceilingFps),
    ratioToCeiling: round(pipelineFps / ceilingFps),
    cpuS: round(cpuS),
    ffmpegCpuS: round(ffmpegCpuS),
    coresPerLiveCamera: round(cpuS / videoS),
    peakRssMB: round(peakRssMB),
    loadAvg1m: round(loadavg()),
  };
  console.log(JSON.stringify(result));
  console.log(
    `pipeline ${result.pipelineFps} fps (${result.realtimeFactor}x real time), inferred ${s.inferred}/${s.frames}; ceiling (session.run alone) ${result.ceilingFps} fps; ` +
      `ratio ${result.ratioToCeiling}; CPU for a live camera ${Math.round(result.coresPerLiveCamera * 100)}% of one core; peak RSS ${result.peakRssMB} MB; load ${result.loadAvg1m}`,
  );
}

function loadavg(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main(process.argv.slice(2), process.env).catch((err: unknown) => {
  console.error(`bench:agent: ${isAppError(err) ? err.message : (err as Error).message}`);
  process.exit(1);
});
