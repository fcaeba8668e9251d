import type { CameraStatus } from '../../common/topics.js';
import type { Db } from './db.js';

export interface CameraStatusRow {
  store_id: string;
  camera_id: string;
  state: string;
  last_heartbeat: number;
  fps: number | null;
  spool_depth: number | null;
  payload: string;
}

/** Camera heartbeats (MQTT status topic): the latest per camera. */
export function createCameraRepository(db: Db) {
  const { knex } = db;
  return {
    async upsertStatus(storeId: string, cameraId: string, status: CameraStatus, receivedAt = Date.now()): Promise<void> {
      const row: CameraStatusRow = {
        store_id: storeId,
        camera_id: cameraId,
        state: status.state,
        last_heartbeat: receivedAt,
        fps: Number.isFinite(status.fps) ? status.fps : null,
        spool_depth: Number.isFinite(status.spool_depth) ? status.spool_depth : null,
        payload: JSON.stringify(status),
      };
      await knex('camera_status').insert(row).onConflict(['store_id', 'camera_id']).merge();
    },
    async list(storeId?: string): Promise<CameraStatusRow[]> {
      const q = knex<CameraStatusRow>('camera_status').select('*').orderBy(['store_id', 'camera_id']);
      if (storeId) q.where({ store_id: storeId });
      return q;
    },
  };
}
export type CameraRepository = ReturnType<typeof createCameraRepository>;
