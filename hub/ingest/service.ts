import { validateBatch, type EventError, type StoreEvent } from '../../common/event.js';
import type { Logger } from '../../common/logger.js';
import type { EventWriter } from './event-writer.js';
import { storeScopeRule } from './rules.js';

export interface IngestResult {
  inserted: number;
  duplicates: number;
  errors: EventError[];
}

/** Where a batch came from; an MQTT batch must match its topic's store and camera. */
export interface IngestSource {
  kind: 'http' | 'mqtt';
  storeId?: string;
  cameraId?: string;
  /** Stores the sender may write (an API key's scope); absent = any. */
  allowedStores?: ReadonlySet<string> | null;
}

/** Extra per-event rules applied after the schema (e.g. clock skew). Return an error or null. */
export type EventRule = (e: StoreEvent, index: number) => EventError | null;

export interface IngestDeps {
  writer: EventWriter;
  logger: Logger;
  rules?: EventRule[];
  /** Called with the events newly stored, after commit (live dashboard, rollups). */
  onStored?: (events: StoreEvent[]) => void;
}

function topicRule(source: IngestSource): EventRule | null {
  if (source.kind !== 'mqtt' || !source.storeId) return null;
  return (e, index) => {
    if (e.store_id !== source.storeId) {
      return { index, event_id: e.event_id, field: 'store_id', reason: `does not match topic store ${source.storeId}` };
    }
    if (source.cameraId && e.camera_id !== source.cameraId) {
      return { index, event_id: e.event_id, field: 'camera_id', reason: `does not match topic camera ${source.cameraId}` };
    }
    return null;
  };
}

/**
 * The one path every event takes into the hub, whatever the transport: validate each event on its own, store
 * the good ones (group commit, hub/ingest/event-writer.ts), count duplicates by event_id, and report per event
 * what was refused, by the contract, the rules or the database.
 */
export function createIngestService(deps: IngestDeps) {
  return {
    async ingest(raws: readonly unknown[], source: IngestSource = { kind: 'http' }): Promise<IngestResult> {
      const { valid, errors } = validateBatch(raws);
      const scope = source.allowedStores ? storeScopeRule(source.allowedStores) : null;
      const rules = [...(deps.rules ?? []), topicRule(source), scope].filter((r): r is EventRule => r !== null);
      const accepted: { index: number; event: StoreEvent }[] = [];
      for (const v of valid) {
        const err = rules.map((rule) => rule(v.event, v.index)).find((x) => x !== null);
        if (err) errors.push(err);
        else accepted.push(v);
      }
      const { outcomes } = await deps.writer.write(accepted.map((a) => a.event));
      const fresh: StoreEvent[] = [];
      let duplicates = 0;
      outcomes.forEach((o, i) => {
        const { index, event } = accepted[i]!;
        if (o === 'stored') fresh.push(event);
        else if (o === 'duplicate') duplicates++;
        else errors.push({ index, event_id: event.event_id, field: 'event', reason: o.error });
      });
      errors.sort((a, b) => a.index - b.index);
      if (fresh.length > 0) deps.onStored?.(fresh);
      return { inserted: fresh.length, duplicates, errors };
    },
  };
}
export type IngestService = ReturnType<typeof createIngestService>;
