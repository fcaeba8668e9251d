import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { oversizedArray, truncate } from './bounds.js';
import { AppError } from './errors.js';
import { idSchema } from './event.js';

export const ZONE_TYPES = ['entrance', 'aisle', 'display', 'billing', 'staff_only'] as const;
export type ZoneType = (typeof ZONE_TYPES)[number];

/** A point in normalised image coordinates: 0..1 of width and height, origin top-left. */
const pointSchema = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
export type Point = z.infer<typeof pointSchema>;
/** Array limits of a layout, far above any real store; checked by length before any element is validated. */
export const LAYOUT_MAX_ITEMS = 256;
const polygonSchema = z.array(pointSchema).min(3).max(LAYOUT_MAX_ITEMS);

export const zoneSchema = z.object({
  zone_id: idSchema,
  name: z.string().min(1).max(120),
  type: z.enum(ZONE_TYPES),
  /** Product category the zone sells, copied into events' `metadata.sku_zone`. */
  sku_zone: z.string().max(64).optional(),
});
export type Zone = z.infer<typeof zoneSchema>;

export const doorLineSchema = z.object({
  line_id: idSchema,
  /** Segment end points; the anchor (bottom centre of a box) crossing it counts. */
  a: pointSchema,
  b: pointSchema,
  /** Which side of a→b is inside the store: "left" or "right" when walking from a to b (image coords, y down). */
  inside: z.enum(['left', 'right']),
  /** Hysteresis band, normalised distance from the line the anchor must clear before a crossing counts. */
  hysteresis: z.number().min(0).max(0.5).default(0.03),
}).refine((l) => l.a[0] !== l.b[0] || l.a[1] !== l.b[1], { message: 'a and b must differ (a door line needs a direction)', path: ['b'] });
export type DoorLine = z.infer<typeof doorLineSchema>;

export const cameraZoneSchema = z.object({
  zone_id: idSchema,
  polygon: polygonSchema,
  /**
   * Spatial band (normalised distance): a visit starts inside the polygon shrunk by it and ends outside the polygon
   * grown by it. Default 0.03 (agent/behaviour/zone-rules.ts).
   */
  band: z.number().min(0).max(0.2).optional(),
  /** Time (ms) the anchor must stay inside the shrunk polygon before ZONE_ENTER. Default 300. */
  enter_ms: z.number().int().min(0).max(60_000).optional(),
  /** Time (ms) the anchor must stay outside the grown polygon before ZONE_EXIT. Default 500. */
  exit_ms: z.number().int().min(0).max(600_000).optional(),
  /** Older form of `enter_ms`: consecutive frames, converted with the camera's frame rate (frames × 1000 / fps). */
  enter_frames: z.number().int().min(1).optional(),
  /** Older form of `exit_ms`, converted the same way. */
  exit_frames: z.number().int().min(1).optional(),
  /** Stay length (ms) before the first ZONE_DWELL; then one every `dwell_repeat_ms`. */
  dwell_ms: z.number().int().min(0).default(10_000),
  dwell_repeat_ms: z.number().int().min(1000).default(30_000),
  /** Billing zones: time in the zone (ms) before BILLING_QUEUE_JOIN. */
  join_ms: z.number().int().min(0).default(5_000),
  /** Billing zones: the till polygon; leaving after joining without reaching it is an abandon. */
  service_zone: polygonSchema.optional(),
});
export type CameraZone = z.infer<typeof cameraZoneSchema>;

export const cameraSchema = z.object({
  camera_id: idSchema,
  name: z.string().max(120).optional(),
  door_lines: z.array(doorLineSchema).max(LAYOUT_MAX_ITEMS).default([]),
  zones: z.array(cameraZoneSchema).max(LAYOUT_MAX_ITEMS).default([]),
});
export type CameraLayout = z.infer<typeof cameraSchema>;

export const staffSchema = z.object({
  /** Uniform reference colours (sRGB 0..255) with a tolerance in the same units (Euclidean distance). */
  uniform_colors: z
    .array(z.object({ rgb: z.tuple([z.number(), z.number(), z.number()]), tolerance: z.number().min(0).max(442) }))
    .max(LAYOUT_MAX_ITEMS)
    .default([]),
  /** Share of a track's sampled frames that must match for the track to be staff. */
  min_vote: z.number().min(0).max(1).default(0.6),
});
export type StaffConfig = z.infer<typeof staffSchema>;

export const storeLayoutSchema = z
  .object({
    store_id: idSchema,
    name: z.string().min(1).max(120),
    /** IANA time zone; "today" windows are computed in it. */
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata').default('UTC'),
    zones: z.array(zoneSchema).max(LAYOUT_MAX_ITEMS).default([]),
    cameras: z.array(cameraSchema).max(LAYOUT_MAX_ITEMS).default([]),
    staff: staffSchema.default({ uniform_colors: [], min_vote: 0.6 }),
  })
  .superRefine((s, ctx) => {
    const ids = new Set(s.zones.map((z) => z.zone_id));
    s.cameras.forEach((c, ci) =>
      c.zones.forEach((cz, zi) => {
        for (const [ms, frames] of [['enter_ms', 'enter_frames'], ['exit_ms', 'exit_frames']] as const) {
          if (cz[ms] !== undefined && cz[frames] !== undefined) {
            ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'zones', zi, frames], message: `give ${ms} or ${frames}, not both` });
          }
        }
        if (!ids.has(cz.zone_id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['cameras', ci, 'zones', zi, 'zone_id'],
            message: `zone ${cz.zone_id} is not declared in the store's zones`,
          });
        }
      }),
    );
  });
export type StoreLayout = z.infer<typeof storeLayoutSchema>;

export const layoutFileSchema = z.object({ stores: z.array(storeLayoutSchema).min(1) });
export type LayoutFile = z.infer<typeof layoutFileSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const MAX_LISTED_ISSUES = 10;
const MAX_ISSUE_CHARS = 160;

/** Formats zod issues as `path: message; …` for one readable error line: the first few, then how many more. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, MAX_LISTED_ISSUES).map((i) => truncate(`${i.path.join('.') || '(root)'}: ${i.message}`, MAX_ISSUE_CHARS));
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** AppError BAD_REQUEST naming the first array of `raw` longer than `maxItems`, before any validation; else nothing. */
export function assertArraysBounded(raw: unknown, maxItems: number, what: string): void {
  const big = oversizedArray(raw, maxItems);
  if (big) {
    throw new AppError('BAD_REQUEST', `${what}: ${big.path}: at most ${maxItems} entries (got ${big.length})`, { field: big.path });
  }
}

export function parseLayoutFile(raw: unknown, source = 'layout'): LayoutFile {
  const r = layoutFileSchema.safeParse(raw);
  if (!r.success) throw new AppError('CONFIG_INVALID', `${source}: ${describeIssues(r.error)}`);
  return r.data;
}

/** Reads and validates a layout file; errors name the file and the bad field. */
export function loadLayoutFile(path: string): LayoutFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${path}: cannot read layout (${(err as Error).message})`, undefined, {
      cause: err,
    });
  }
  return parseLayoutFile(raw, path);
}

export function findCamera(layout: StoreLayout, cameraId: string): CameraLayout | undefined {
  return layout.cameras.find((c) => c.camera_id === cameraId);
}
