import { EventEmitter } from 'node:events';
import type { StoreEvent } from '../common/event.js';

/** In-process notifications between hub parts (ingest → live dashboard, caches). */
export interface HubEvents {
  events_stored: [events: StoreEvent[]];
  pos_stored: [storeId: string, count: number];
}

export function createHubBus() {
  const emitter = new EventEmitter<HubEvents>();
  emitter.setMaxListeners(0); // one listener per SSE client
  return emitter;
}
export type HubBus = ReturnType<typeof createHubBus>;
