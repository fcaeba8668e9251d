/**
 * One framing of a clip through the whole agent path: ffmpeg renders the framing into a temporary file, the
 * vision pipeline (ffmpeg → detector → ByteTrack) and the behaviour layer run on it with the camera's layout
 * re-projected onto the framing, and the zone outcome is counted. Shared by `npm run eval:zones` and its test.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AppError } from '../../common/errors.js';
import type { StoreEvent } from '../../common/event.js';
import type { CameraLayout, Point, StoreLayout } from '../../common/layout.js';
import { createBehaviour, type ReidEmbedder } from '../../agent/behaviour/index.js';
import { createPipeline } from '../../agent/pipeline.js';
import { reprojectCamera, framingFilter, type Framing } from './framing.js';

export interface FramingRun {
  clip: string;
  framing: Framing;
  store: StoreLayout;
  cameraId: string;
  zoneId: string;
  modelPath: string;
  ffmpegPath: string;
  /** Source size (pixels) the framing's fractions refer to. */
  srcW: number;
  srcH: number;
  /** Where the rendered file goes (the caller owns and removes it). */
  workDir: string;
  /** Part of the clip to use (seconds); whole clip when absent. */
  startS?: number;
  durationS?: number;
  detectEvery?: number;
  /** The clip's frame rate (the behaviour converts frame-based zone keys with it). */
  fps: number;
  reid?: ReidEmbedder;
}

export interface Visit {
  visitorId: string;
  /** The zone entry, seconds since the start of the rendered part. */
  enterS: number;
  dwellS: number;
}

export interface FramingResult {
  framing: string;
  /** The border variant (BorderVariant.name). */
  variant: string;
  visits: Visit[];
  zoneEnters: number;
  queueJoins: number;
  entries: number;
  exits: number;
  frames: number;
  inferMsMean: number;
  events: StoreEvent[];
}

/** Renders `run.framing` of the clip into workDir and resolves with the file's path. */
export async function renderFraming(run: FramingRun): Promise<string> {
  const out = join(run.workDir, `${run.framing.name}.mp4`);
  const cut = [...(run.startS !== undefined ? ['-ss', String(run.startS)] : []), ...(run.durationS !== undefined ? ['-t', String(run.durationS)] : [])];
  const args = ['-v', 'error', '-nostdin', '-y', ...cut, '-i', run.clip, '-vf', framingFilter(run.framing, run.srcW, run.srcH)];
  // Near-lossless, so the detector sees the framing and not new compression artefacts.
  args.push('-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', out);
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const p = spawn(run.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    p.once('error', reject);
    p.once('exit', resolve);
  });
  if (code !== 0) throw new AppError('INPUT_UNREADABLE', `ffmpeg could not render framing ${run.framing.name}: ${stderr.join('').slice(0, 400)}`);
  return out;
}

/**
 * A variant of the zone rules: the zone (and till) polygons moved down by `shiftY` (normalised, clamped to the
 * picture), optionally with another band and anchor window (`band: 0, windowMs: 0` is a hard border on raw anchors).
 */
export interface BorderVariant {
  name: string;
  shiftY: number;
  band?: number;
  windowMs?: number;
}

export const NO_SHIFT: readonly BorderVariant[] = [{ name: '±0', shiftY: 0 }];

/**
 * Runs the framing once through the vision pipeline and feeds every frame to one behaviour per border variant, so
 * the variants see the very same tracks (the detector is the expensive part, the behaviour ~1 ms a frame).
 */
export async function runFraming(run: FramingRun, variants: readonly BorderVariant[] = NO_SHIFT): Promise<FramingResult[]> {
  const source = await renderFraming(run);
  const camera = run.store.cameras.find((c) => c.camera_id === run.cameraId);
  if (!camera) throw new AppError('CONFIG_INVALID', `camera ${run.cameraId} is not in store ${run.store.store_id}`);
  const framed = reprojectCamera(camera, run.framing, run.srcW, run.srcH);
  const behaviours = variants.map((v) => {
    const store: StoreLayout = { ...run.store, cameras: [shiftZones(framed, v.shiftY, v.band)] };
    const tuning = v.windowMs === undefined ? {} : { zoneAnchorWindowMs: v.windowMs };
    return createBehaviour({ store, cameraId: run.cameraId, fps: run.fps, tuning, ...(run.reid ? { reid: run.reid } : {}) });
  });
  const pipeline = createPipeline({ source, modelPath: run.modelPath, detectEvery: run.detectEvery ?? 1, startTimeMs: 0, threads: 1 });
  const events: StoreEvent[][] = variants.map(() => []);
  let lastMs = 0;
  try {
    for await (const f of pipeline.frames()) {
      for (const [i, b] of behaviours.entries()) events[i]!.push(...(await b.onFrame(f)));
      lastMs = f.frame.timestampMs;
    }
  } finally {
    await pipeline.close();
  }
  const stats = pipeline.stats();
  const out: FramingResult[] = [];
  for (const [i, b] of behaviours.entries()) {
    const es = events[i]!;
    es.push(...(await b.flush(lastMs)));
    out.push(summarise(run, variants[i]!.name, es, stats.frames, stats.inferMsMean));
  }
  return out;
}

function shiftZones(cam: CameraLayout, dy: number, band: number | undefined): CameraLayout {
  const move = (poly: Point[]) => poly.map(([x, y]): Point => [x, Math.min(1, Math.max(0, Number((y + dy).toFixed(4))))]);
  const zones = cam.zones.map((z) => ({
    ...z,
    ...(band === undefined ? {} : { band }),
    polygon: move(z.polygon),
    ...(z.service_zone ? { service_zone: move(z.service_zone) } : {}),
  }));
  return { ...cam, zones };
}

function summarise(run: FramingRun, variant: string, events: StoreEvent[], frames: number, inferMsMean: number): FramingResult {
  const of = (type: string) => events.filter((e) => e.event_type === type && (e.zone_id === run.zoneId || e.zone_id === null));
  const visits = of('ZONE_EXIT').map((e) => ({ visitorId: e.visitor_id, enterS: (Date.parse(e.timestamp) - e.dwell_ms) / 1000, dwellS: e.dwell_ms / 1000 }));
  return {
    framing: run.framing.name,
    variant,
    visits,
    zoneEnters: of('ZONE_ENTER').length,
    queueJoins: of('BILLING_QUEUE_JOIN').length,
    entries: of('ENTRY').length,
    exits: of('EXIT').length,
    frames,
    inferMsMean,
    events,
  };
}

/** The by-eye truth of the clip (test/fixtures/truth/one-by-one-behaviour.json). */
export interface Truth {
  people: { table_s: number }[];
  expected: { dwell_tolerance_s: number };
}

/** One visit and one queue join per person, each dwell within the truth's tolerance (visits in time order). */
export function judge(r: FramingResult, truth: Truth): { ok: boolean; maxDwellErrS: number; why: string[] } {
  const n = truth.people.length;
  const why: string[] = [];
  if (r.visits.length !== n) why.push(`${r.visits.length} visits`);
  if (new Set(r.visits.map((v) => v.visitorId)).size !== r.visits.length) why.push('a person visited twice');
  if (r.queueJoins !== n) why.push(`${r.queueJoins} queue joins`);
  const errs = r.visits.length === n ? r.visits.map((v, i) => Math.abs(v.dwellS - truth.people[i]!.table_s)) : [NaN];
  const maxDwellErrS = Math.max(...errs);
  if (!(maxDwellErrS <= truth.expected.dwell_tolerance_s)) why.push(`dwell off by ${maxDwellErrS.toFixed(1)} s`);
  return { ok: why.length === 0, maxDwellErrS, why };
}
