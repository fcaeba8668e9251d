import { randomUUID } from 'node:crypto';
import { encodePng } from '../../../agent/heatmap/png.js';
import { todayIn } from '../../../hub/analytics/window.js';

/**
 * A store day for the dashboard tests, generated relative to now so that "today" (in the store's zone) holds it:
 * visitors enter, browse the ceramics aisle and the display, some queue at the counter and pay (POS), some
 * abandon, all leave; one staff member walks about. Deterministic apart from ids and the anchor time.
 */
export const STORE = 'STORE_BLR_002';
const TZ = 'Asia/Kolkata';
const MIN = 60_000;

export interface FixtureDay {
  events: Record<string, unknown>[];
  pos: { transaction_id: string; store_id: string; timestamp: string; basket_value_inr: number }[];
}

export function fixtureDay(now: number, visitors = 24): FixtureDay {
  const dayStart = todayIn(TZ, now).from;
  const end = now - 8 * MIN; // each visit lasts ≤ 7 min: every event is in the past
  const start = Math.max(dayStart + MIN, end - 5 * 60 * MIN);
  const span = Math.max(MIN, end - start);
  const events: Record<string, unknown>[] = [];
  const pos: FixtureDay['pos'] = [];
  const iso = (t: number) => new Date(t).toISOString();
  for (let i = 0; i < visitors; i++) {
    const v = `VIS_day_${i}`;
    const t = Math.floor(start + (span * i) / visitors);
    let seq = 0;
    const ev = (type: string, at: number, camera: string, zone: string | null, extra: Record<string, unknown> = {}) =>
      events.push({
        event_id: randomUUID(), store_id: STORE, camera_id: camera, visitor_id: v, event_type: type, timestamp: iso(at), zone_id: zone,
        dwell_ms: 0, is_staff: false, confidence: 0.9, metadata: { queue_depth: null, sku_zone: null, session_seq: ++seq }, ...extra,
      });
    // Every sixth pair of visitors came in together (one buying unit); the agent tags their ENTRYs with a group.
    const group = i % 6 < 2 ? { group_id: `G_day_${Math.floor(i / 6)}` } : {};
    ev('ENTRY', t, 'CAM_ENTRY_01', null, { metadata: { queue_depth: null, sku_zone: null, session_seq: ++seq, ...group } });
    const zone = i % 3 === 2 ? 'Z_DISPLAY' : 'Z_CERAMICS';
    const cam = zone === 'Z_DISPLAY' ? 'CAM_FLOOR_01' : 'CAM_AISLE_01';
    if (i % 5 !== 4) {
      ev('ZONE_ENTER', t + MIN, cam, zone);
      ev('ZONE_DWELL', t + 2 * MIN, cam, zone, { dwell_ms: 30_000 + (i % 4) * 15_000 });
      ev('ZONE_EXIT', t + 3 * MIN, cam, zone, { dwell_ms: 60_000 + (i % 4) * 15_000 });
    }
    if (i % 5 < 3) {
      ev('BILLING_QUEUE_JOIN', t + 4 * MIN, 'CAM_ENTRY_01', 'Z_COUNTER', { metadata: { queue_depth: 1 + (i % 3), sku_zone: null, session_seq: ++seq } });
      if (i % 4 === 3) ev('BILLING_QUEUE_ABANDON', t + 5 * MIN, 'CAM_ENTRY_01', 'Z_COUNTER', { dwell_ms: 60_000 });
      else {
        // Served: reached the till (30 + i) s after joining, as the agent reports on leaving the billing zone.
        ev('ZONE_EXIT', t + 5 * MIN + 30_000, 'CAM_ENTRY_01', 'Z_COUNTER', { metadata: { queue_depth: null, sku_zone: null, session_seq: ++seq, queue_wait_ms: (30 + i) * 1000 } });
        pos.push({ transaction_id: `TX_day_${i}_${t}`, store_id: STORE, timestamp: iso(t + 5 * MIN), basket_value_inr: 500 + 37 * i });
      }
    }
    ev('EXIT', t + 6 * MIN, 'CAM_ENTRY_01', null);
  }
  events.push({
    event_id: randomUUID(), store_id: STORE, camera_id: 'CAM_FLOOR_01', visitor_id: 'STAFF_1', event_type: 'ZONE_ENTER', timestamp: iso(start + 10 * MIN),
    zone_id: 'Z_STOCKROOM', dwell_ms: 0, is_staff: true, confidence: 0.9, metadata: { queue_depth: null, sku_zone: null, session_seq: 1 },
  });
  return { events, pos };
}

/** An occupancy grid with a warm spot around (cx, cy) in cells: what an agent sends once a minute. */
export function gridAround(minuteTs: number, cx: number, cy: number, cols = 32, rows = 18) {
  const counts = Array.from({ length: cols * rows }, (_, i) => {
    const d2 = ((i % cols) - cx) ** 2 + (Math.floor(i / cols) - cy) ** 2;
    return Math.max(0, Math.round(30 * Math.exp(-d2 / 8)) - 1);
  });
  return { minute_ts: minuteTs, cols, rows, counts };
}

/** A people-free "background" PNG (floor, back wall, a shelf), base64: stands in for the agent's median frame. */
export function syntheticBackground(w = 320, h = 180): string {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      if (y < h * 0.45) data.set([222 - y / 4, 220 - y / 4, 214], i);
      else data.set([150 + ((x >> 4) % 2) * 12 - y / 8, 110 + ((x >> 4) % 2) * 8 - y / 10, 70], i);
      if (x > w * 0.08 && x < w * 0.28 && y > h * 0.15 && y < h * 0.7) data.set([90, 96, 110], i);
    }
  }
  return encodePng({ width: w, height: h, data }).toString('base64');
}
