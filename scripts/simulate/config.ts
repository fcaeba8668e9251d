/**
 * Simulator configuration (validated once, zod) and the plan of each simulated store: its cameras and zones,
 * laid out like the sample store (data/store_layout.json) so the hub's analytics treat them the same way.
 */
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { describeIssues, type StoreLayout } from '../../common/layout.js';

export const simConfigSchema = z.object({
  /** Number of stores simulated side by side. */
  stores: z.number().int().min(1).max(1000).default(1),
  /** Cameras per store: the first watches the door and the billing counter, each other one an aisle. */
  cameras: z.number().int().min(1).max(32).default(3),
  /** Length of the simulated opening window, hours. */
  hours: z.number().positive().max(24).default(12),
  /** Seed of the run: same seed and options → the same events, ids included. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  /** Opening time of the window (epoch ms, UTC). */
  startMs: z.number().int().min(0),
  /** Mean arrivals per store per hour at the average of the day's profile. */
  visitorsPerHour: z.number().min(0).max(10_000).default(30),
  /** Staff members on shift per store (ENTRY at opening, zone rounds, EXIT at closing; is_staff true). */
  staffPerStore: z.number().int().min(0).max(100).default(2),
  /** Share of arrivals (buying units) that head for the till intending to buy. */
  buyProbability: z.number().min(0).max(1).default(0.45),
  /** Share of visitors who leave and come back within minutes (REENTRY, session_seq continues). */
  reentryProbability: z.number().min(0).max(1).default(0.08),
  /** Share of arrivals that are groups of 2–3 entering together (one buying unit). */
  groupProbability: z.number().min(0).max(1).default(0.2),
  /** Mean patience in the billing queue (s): a customer who would wait longer abandons. */
  patienceMeanS: z.number().positive().default(150),
  /** Median service time at the till (s). */
  serviceMedianS: z.number().positive().default(60),
  /** Store ids are `<prefix>_001`, `<prefix>_002`, … */
  storePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default('STORE_SIM'),
});
export type SimConfig = z.output<typeof simConfigSchema>;
export type SimConfigInput = z.input<typeof simConfigSchema>;

export function parseSimConfig(input: SimConfigInput): SimConfig {
  const r = simConfigSchema.safeParse(input);
  if (!r.success) throw new AppError('BAD_REQUEST', `simulator options: ${describeIssues(r.error)}`);
  return r.data;
}

export interface ZonePlan {
  zoneId: string;
  cameraId: string;
  type: 'aisle' | 'billing' | 'staff_only';
  skuZone: string | null;
}

export interface StorePlan {
  index: number;
  storeId: string;
  entryCamera: string;
  counter: ZonePlan;
  aisles: ZonePlan[];
  stockroom: ZonePlan | null;
}

const SKUS = ['HOME_CERAMICS', 'NEW_ARRIVALS', 'TEXTILES', 'KITCHEN', 'LIGHTING', 'STATIONERY', 'TOYS', 'DECOR'];
const cam = (kind: string, n: number) => `CAM_${kind}_${String(n).padStart(2, '0')}`;

export function storePlan(config: SimConfig, index: number): StorePlan {
  const entryCamera = cam('ENTRY', 1);
  const aisles: ZonePlan[] = [];
  for (let c = 1; c < config.cameras; c++) {
    aisles.push({ zoneId: `Z_AISLE_${String(c).padStart(2, '0')}`, cameraId: cam('AISLE', c), type: 'aisle', skuZone: SKUS[(c - 1) % SKUS.length]! });
  }
  const last = aisles.at(-1);
  return {
    index,
    storeId: `${config.storePrefix}_${String(index + 1).padStart(3, '0')}`,
    entryCamera,
    counter: { zoneId: 'Z_COUNTER', cameraId: entryCamera, type: 'billing', skuZone: null },
    aisles,
    stockroom: last ? { zoneId: 'Z_STOCKROOM', cameraId: last.cameraId, type: 'staff_only', skuZone: null } : null,
  };
}

/** The store layout the hub should hold for a simulated store (PUT /stores/:id/layout), polygons included. */
export function layoutOf(plan: StorePlan): StoreLayout {
  const all = [plan.counter, ...plan.aisles, ...(plan.stockroom ? [plan.stockroom] : [])];
  const box = (x0: number, y0: number, x1: number, y1: number): [number, number][] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  const cameras = [plan.entryCamera, ...plan.aisles.map((a) => a.cameraId)].map((cameraId) => ({
    camera_id: cameraId,
    door_lines: cameraId === plan.entryCamera ? [{ line_id: 'DOOR_MAIN', a: [0, 0.9] as [number, number], b: [1, 0.9] as [number, number], inside: 'left' as const, hysteresis: 0.03 }] : [],
    zones: all
      .filter((z) => z.cameraId === cameraId)
      .map((z, i) => ({
        zone_id: z.zoneId,
        polygon: i === 0 ? box(0.3, 0.3, 0.75, 0.85) : box(0.78, 0.3, 1, 0.85),
        enter_frames: 3,
        exit_frames: 5,
        dwell_ms: 10_000,
        dwell_repeat_ms: 30_000,
        join_ms: 5_000,
        ...(z.type === 'billing' ? { service_zone: box(0.4, 0.3, 0.7, 0.6) } : {}),
      })),
  }));
  return {
    store_id: plan.storeId,
    name: `Simulated store ${plan.index + 1}`,
    timezone: 'Asia/Kolkata',
    zones: all.map((z) => ({
      zone_id: z.zoneId,
      name: z.zoneId.replace(/^Z_/, '').replace(/_/g, ' ').toLowerCase(),
      type: z.type,
      ...(z.skuZone ? { sku_zone: z.skuZone } : {}),
    })),
    cameras,
    staff: { uniform_colors: [], min_vote: 0.6 },
  };
}
