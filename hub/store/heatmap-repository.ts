import type { HeatmapGrid } from '../../common/heatmap.js';
import type { Db } from './db.js';

interface GridRow {
  minute_ts: number;
  cols: number;
  rows: number;
  counts: string;
}

export interface SummedGrid {
  cols: number;
  rows: number;
  /** Per-cell sums over the window, row-major (`counts[r * cols + c]`). */
  counts: number[];
  /** Minutes summed. */
  minutes: number;
  /** Minutes skipped because their grid size differs from the newest one (the agent was reconfigured). */
  skipped_minutes: number;
}

export interface BackgroundRow {
  mime: string;
  image_base64: string;
  updated_at: number;
}

/** Camera occupancy grids per minute and people-free background frames (tables from migration 003). */
export function createHeatmapRepository(db: Db) {
  const { knex } = db;
  return {
    /** Stores one minute; a re-sent minute replaces the stored one (MQTT QoS 1 may deliver twice). */
    async upsertGrid(storeId: string, cameraId: string, g: HeatmapGrid): Promise<void> {
      await knex('camera_heatmaps')
        .insert({ store_id: storeId, camera_id: cameraId, minute_ts: g.minute_ts, cols: g.cols, rows: g.rows, counts: JSON.stringify(g.counts) })
        .onConflict(['store_id', 'camera_id', 'minute_ts'])
        .merge();
    },

    /**
     * Sums the minutes starting in [from, to). Grids of another size than the newest are skipped and counted,
     * not resampled: a resize is rare and mixing cell sizes would smear the picture.
     */
    async sumGrid(storeId: string, cameraId: string, from: number, to: number): Promise<SummedGrid | null> {
      const rows: GridRow[] = await knex('camera_heatmaps')
        .select('minute_ts', 'cols', 'rows', 'counts')
        .where({ store_id: storeId, camera_id: cameraId })
        .andWhere('minute_ts', '>=', from)
        .andWhere('minute_ts', '<', to)
        .orderBy('minute_ts', 'desc');
      if (rows.length === 0) return null;
      const { cols, rows: nRows } = rows[0]!;
      const counts = new Array<number>(cols * nRows).fill(0);
      let minutes = 0;
      for (const r of rows) {
        if (r.cols !== cols || r.rows !== nRows) continue;
        const cells = JSON.parse(r.counts) as number[];
        for (let i = 0; i < counts.length; i++) counts[i]! += cells[i] ?? 0;
        minutes += 1;
      }
      return { cols, rows: nRows, counts, minutes, skipped_minutes: rows.length - minutes };
    },

    async setBackground(storeId: string, cameraId: string, mime: string, imageBase64: string, at: number): Promise<void> {
      await knex('camera_backgrounds')
        .insert({ store_id: storeId, camera_id: cameraId, mime, image_base64: imageBase64, updated_at: at })
        .onConflict(['store_id', 'camera_id'])
        .merge();
    },

    async getBackground(storeId: string, cameraId: string): Promise<BackgroundRow | null> {
      const row: BackgroundRow | undefined = await knex('camera_backgrounds')
        .select('mime', 'image_base64', 'updated_at')
        .where({ store_id: storeId, camera_id: cameraId })
        .first();
      return row ? { ...row, updated_at: Number(row.updated_at) } : null;
    },

    /** Cameras of a store that have a grid or a background. */
    async cameras(storeId: string): Promise<string[]> {
      const [g, b] = await Promise.all([
        knex('camera_heatmaps').distinct('camera_id').where({ store_id: storeId }),
        knex('camera_backgrounds').distinct('camera_id').where({ store_id: storeId }),
      ]);
      return [...new Set([...g, ...b].map((r: { camera_id: string }) => r.camera_id))].sort();
    },
  };
}
export type HeatmapRepository = ReturnType<typeof createHeatmapRepository>;
