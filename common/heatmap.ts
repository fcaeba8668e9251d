import { z } from 'zod';
import { AppError } from './errors.js';
import { assertArraysBounded, describeIssues } from './layout.js';

/**
 * Payloads of the topic `store/<store>/camera/<camera>/heatmap` (agent → hub). Two kinds share it:
 *
 * - an occupancy grid, once per minute: `{minute_ts, cols, rows, counts}`: `counts[r * cols + c]` is how many
 *   person-samples stood in cell (c, r) during that minute. The agent samples each track's anchor (bottom centre
 *   of its box) at most once per `sampleMs` (default 1 s), so a count is roughly person-seconds. Cells are in
 *   normalised image coordinates: cell (c, r) covers x in [c/cols, (c+1)/cols), y in [r/rows, (r+1)/rows).
 * - a background frame with people removed: `{background: {mime, image_base64, width?, height?}}`, a per-pixel
 *   temporal median of sampled frames where pixels inside person boxes were never sampled (agent/heatmap/).
 *
 * A re-sent minute replaces the stored one (QoS 1 may deliver twice), so grids are complete per minute.
 */

/** Largest grid side accepted: 64×64 cells is finer than any camera's useful resolution for "where people stood". */
export const MAX_GRID_SIDE = 64;
/** Largest background accepted, as base64 characters (~1.5 MB of image): a 640×360 PNG is ~250 kB. */
export const MAX_BACKGROUND_BASE64 = 2_000_000;
export const BACKGROUND_MIMES = ['image/png', 'image/jpeg'] as const;

/** A minute start: ISO-8601 with a zone or epoch ms; normalised to epoch ms on a whole minute. */
const minuteSchema = z
  .union([z.number().int().min(0), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
  .refine((t) => t % 60_000 === 0, 'must be the start of a minute (seconds and milliseconds zero)');

export const heatmapGridSchema = z
  .object({
    minute_ts: minuteSchema,
    cols: z.number().int().min(1).max(MAX_GRID_SIDE),
    rows: z.number().int().min(1).max(MAX_GRID_SIDE),
    counts: z.array(z.number().int().min(0).max(1_000_000)).max(MAX_GRID_SIDE * MAX_GRID_SIDE),
  })
  .superRefine((g, ctx) => {
    if (g.counts.length !== g.cols * g.rows) {
      ctx.addIssue({ code: 'custom', path: ['counts'], message: `must have cols*rows = ${g.cols * g.rows} entries (got ${g.counts.length})` });
    }
  });
export type HeatmapGrid = z.output<typeof heatmapGridSchema>;

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export const backgroundSchema = z.object({
  background: z.object({
    mime: z.enum(BACKGROUND_MIMES),
    image_base64: z.string().min(1).max(MAX_BACKGROUND_BASE64).regex(BASE64_RE, 'must be base64'),
    width: z.number().int().min(1).max(8192).optional(),
    height: z.number().int().min(1).max(8192).optional(),
  }),
});
export type BackgroundPayload = z.output<typeof backgroundSchema>;

export type HeatmapPayload = { kind: 'grid'; grid: HeatmapGrid } | { kind: 'background'; background: BackgroundPayload['background'] };

/** Validates one heatmap-topic payload; the error names the field and the reason. */
export function parseHeatmapPayload(raw: unknown): HeatmapPayload {
  if (raw && typeof raw === 'object' && 'background' in raw) {
    const r = backgroundSchema.safeParse(raw);
    if (!r.success) throw new AppError('BAD_REQUEST', `heatmap background: ${describeIssues(r.error)}`);
    return { kind: 'background', background: r.data.background };
  }
  assertArraysBounded(raw, MAX_GRID_SIDE * MAX_GRID_SIDE, 'heatmap grid');
  const r = heatmapGridSchema.safeParse(raw);
  if (!r.success) throw new AppError('BAD_REQUEST', `heatmap grid: ${describeIssues(r.error)}`);
  return { kind: 'grid', grid: r.data };
}
