/**
 * npm run agent:eval -- --clip <file> --truth <truth.json> [--model m.onnx] [--detect-every N] [--conf 0.1]
 *                        [--threads 2] [--no-motion-gate]
 * Runs the vision pipeline on a clip and scores its tracks against a hand-made truth file
 * `{ people: n, visits: [{ enter_s, leave_s }] }` (seconds from the clip start while each person is in view).
 *
 * Truth has no boxes, so tracks are matched to visits by time: each visit first gets one track by optimal
 * assignment on overlap, and every other track belongs to the visit it overlaps most.
 *  - fragments: extra tracks owning the same visit (one person split into several ids);
 *  - ID switches: a track that also overlaps, by more than `switchToleranceS`, another visit that does not
 *    overlap its own in time (it jumped from one person to the next). Visits that overlap each other cannot be
 *    told apart by time, so switches between simultaneous people are not measurable here;
 *  - missed: visits without a track; spurious: tracks overlapping no visit; coverage: tracked share of a visit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError, isAppError } from '../common/errors.js';
import { describeIssues } from '../common/layout.js';
import { createLogger } from '../common/logger.js';
import { createPipeline, type PipelineOptions, type PipelineStats } from './pipeline.js';
import { assign } from './tracker/assignment.js';
import { DEFAULT_DETECTOR_MODEL } from './detector/models.js';

export const truthSchema = z.object({
  clip: z.string().optional(),
  people: z.number().int().min(0),
  visits: z.array(z.object({ enter_s: z.number().min(0), leave_s: z.number().min(0), note: z.string().optional() }).refine((v) => v.leave_s > v.enter_s, 'leave_s must be after enter_s')),
  notes: z.string().optional(),
});
export type Truth = z.infer<typeof truthSchema>;

export interface TrackSpan {
  trackId: number;
  firstS: number;
  lastS: number;
  /** Frames in state 'tracked'. */
  frames: number;
}

export interface EvalReport {
  people: number;
  tracks: number;
  idSwitches: number;
  fragments: number;
  missed: number;
  spurious: number;
  /** Per visit: tracked share of its duration (0..1) and the owning track ids. */
  visits: Array<{ enter_s: number; leave_s: number; trackIds: number[]; coverage: number }>;
}

export function loadTruth(path: string): Truth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${path}: cannot read truth file (${(err as Error).message})`);
  }
  const r = truthSchema.safeParse(raw);
  if (!r.success) throw new AppError('CONFIG_INVALID', `${path}: ${describeIssues(r.error)}`);
  return r.data;
}

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** Pure scoring of track spans against the truth. */
export function scoreTracks(spans: readonly TrackSpan[], truth: Truth, switchToleranceS = 1): EvalReport {
  const owned = truth.visits.map(() => [] as TrackSpan[]);
  const ov = spans.map((t) => truth.visits.map((v) => overlap(t.firstS, t.lastS, v.enter_s, v.leave_s)));
  // First one track per visit by optimal assignment on overlap (simultaneous visits tie under a greedy argmax),
  // then every other track joins the visit it overlaps most: a fragment.
  const a = assign(ov.map((row) => row.map((o) => (o > 0 ? -o : Infinity))), truth.visits.length, 0);
  const ownerOf = new Map(a.matches.map(([ti, vi]) => [ti, vi] as const));
  let idSwitches = 0;
  let spurious = 0;
  spans.forEach((t, ti) => {
    const row = ov[ti]!;
    const best = ownerOf.get(ti) ?? row.reduce((bi, o, i) => (o > row[bi]! ? i : bi), 0);
    if (!(row[best]! > 0)) {
      spurious++;
      return;
    }
    owned[best]!.push(t);
    const own = truth.visits[best]!;
    const jumped = truth.visits.some((v, i) => i !== best && row[i]! > switchToleranceS && overlap(v.enter_s, v.leave_s, own.enter_s, own.leave_s) === 0);
    if (jumped) idSwitches++;
  });
  const visits = truth.visits.map((v, i) => {
    const ts = owned[i]!;
    const covered = unionLength(ts.map((t) => [Math.max(t.firstS, v.enter_s), Math.min(t.lastS, v.leave_s)] as [number, number]));
    return { enter_s: v.enter_s, leave_s: v.leave_s, trackIds: ts.map((t) => t.trackId), coverage: covered / (v.leave_s - v.enter_s) };
  });
  return {
    people: truth.people,
    tracks: spans.length,
    idSwitches,
    fragments: owned.reduce((n, ts) => n + Math.max(0, ts.length - 1), 0),
    missed: owned.filter((ts) => ts.length === 0).length,
    spurious,
    visits,
  };
}

function unionLength(iv: Array<[number, number]>): number {
  const sorted = iv.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** Runs the pipeline over a clip and collects, per confirmed track, the first/last time it was matched. */
export async function trackSpans(opts: PipelineOptions): Promise<{ spans: TrackSpan[]; stats: PipelineStats }> {
  const p = createPipeline({ ...opts, startTimeMs: 0 });
  const spans = new Map<number, TrackSpan>();
  try {
    for await (const tf of p.frames()) {
      const tS = tf.frame.timestampMs / 1000;
      for (const t of tf.tracks) {
        if (t.state !== 'tracked') continue;
        const s = spans.get(t.trackId);
        if (s) Object.assign(s, { lastS: tS, frames: s.frames + 1 });
        else spans.set(t.trackId, { trackId: t.trackId, firstS: tS, lastS: tS, frames: 1 });
      }
    }
  } finally {
    await p.close();
  }
  return { spans: [...spans.values()], stats: p.stats() };
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      clip: { type: 'string' },
      truth: { type: 'string' },
      model: { type: 'string' },
      'detect-every': { type: 'string', default: '1' },
      conf: { type: 'string', default: '0.1' },
      threads: { type: 'string', default: '2' },
      'no-motion-gate': { type: 'boolean', default: false },
    },
  });
  const usage = 'usage: npm run agent:eval -- --clip <file> --truth <truth.json> [--model m.onnx] [--detect-every N]';
  if (!a.clip || !a.truth) throw new AppError('BAD_REQUEST', `--clip and --truth are required (${usage})`);
  const modelPath = a.model ?? (env.STORE_ASSETS_DIR ? join(env.STORE_ASSETS_DIR, 'models', DEFAULT_DETECTOR_MODEL) : undefined);
  if (!modelPath) throw new AppError('BAD_REQUEST', `--model is required when STORE_ASSETS_DIR is not set (${usage})`);
  const num = (name: string, v: string, int: boolean) => {
    const n = Number(v);
    if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n <= 0) throw new AppError('BAD_REQUEST', `--${name} must be a positive ${int ? 'integer' : 'number'}, got "${v}"`);
    return n;
  };
  const truth = loadTruth(a.truth);
  const logger = createLogger({ name: 'agent-eval', level: env.LOG_LEVEL ?? 'warn', destination: process.stderr });
  const { spans, stats } = await trackSpans({
    source: a.clip,
    modelPath,
    detectEvery: num('detect-every', a['detect-every'], true),
    conf: num('conf', a.conf, false),
    threads: num('threads', a.threads, true),
    motionGate: !a['no-motion-gate'],
    logger,
    ffmpegPath: env.FFMPEG_PATH,
    ffprobePath: env.FFPROBE_PATH,
  });
  const r = scoreTracks(spans, truth);
  console.log(JSON.stringify({ clip: a.clip, ...r, spans, stats }, null, 1));
  console.log(
    `people=${r.people} tracks=${r.tracks} id_switches=${r.idSwitches} fragments=${r.fragments} missed=${r.missed} spurious=${r.spurious} ` +
      `min_coverage=${Math.min(...r.visits.map((v) => v.coverage)).toFixed(2)} frames=${stats.frames} inferred=${stats.inferred} fps=${stats.fps.toFixed(1)}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2), process.env).catch((err: unknown) => {
    console.error(`agent:eval: ${isAppError(err) ? err.message : (err as Error).stack}`);
    process.exit(isAppError(err) && err.code === 'BAD_REQUEST' ? 2 : 1);
  });
}
