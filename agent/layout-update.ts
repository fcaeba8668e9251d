import { AppError } from '../common/errors.js';
import { assertArraysBounded, describeIssues, findCamera, LAYOUT_MAX_ITEMS, storeLayoutSchema, type StoreLayout } from '../common/layout.js';

/** Largest config message read (a layout at the schema's own limits is far below; anything bigger is refused unread). */
export const LAYOUT_MESSAGE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Pure: a config-topic message → the store layout for this agent, or null for an empty payload (the hub cleared
 * the retained config: keep what is running). Anything else that is not this store's layout with this camera
 * is an AppError CONFIG_INVALID naming the reason; the caller keeps its current layout.
 */
export function parseLayoutMessage(payload: Buffer, storeId: string, cameraId: string): StoreLayout | null {
  if (payload.length === 0) return null;
  if (payload.length > LAYOUT_MESSAGE_MAX_BYTES) throw new AppError('CONFIG_INVALID', `layout message: ${payload.length} bytes, at most ${LAYOUT_MESSAGE_MAX_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `layout message: not JSON (${(err as Error).message.slice(0, 120)})`);
  }
  assertArraysBounded(raw, LAYOUT_MAX_ITEMS, 'layout message');
  const r = storeLayoutSchema.safeParse(raw);
  if (!r.success) throw new AppError('CONFIG_INVALID', `layout message: ${describeIssues(r.error)}`);
  if (r.data.store_id !== storeId) throw new AppError('CONFIG_INVALID', `layout message: store ${r.data.store_id}, this agent is of store ${storeId}`);
  if (!findCamera(r.data, cameraId)) throw new AppError('CONFIG_INVALID', `layout message: store ${storeId} has no camera ${cameraId}`);
  return r.data;
}
