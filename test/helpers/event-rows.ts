import { randomUUID } from 'node:crypto';
import { storeEventSchema } from '../../common/event.js';
import { toRow } from '../../hub/store/event-row.js';

/** Rows as the event writer makes them, from event fixtures. */
export const rowsOf = (...events: Record<string, unknown>[]) => events.map((e) => toRow(storeEventSchema.parse(e), Date.now()));

/** Two different UUIDs whose XOR-folded 64-bit keys are equal: flip the same bits in both halves. */
export function collidingPair(): [string, string] {
  const hex = randomUUID().replace(/-/g, '');
  const flip = (h: string) => (BigInt(`0x${h}`) ^ 0x00ff00ff00ff00ffn).toString(16).padStart(16, '0');
  const fmt = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return [fmt(hex), fmt(flip(hex.slice(0, 16)) + flip(hex.slice(16)))];
}
