import type { MqttClient } from 'mqtt';
import type { Logger } from '../../common/logger.js';
import { createBatcher } from './batcher.js';
import { openSpool } from './spool.js';
import type { Timers } from './timers.js';

/**
 * A second spooled QoS 1 stream on the publisher's connection (appearance signatures): batches are appended to
 * their own write-ahead spool before they are published and leave it only when their PUBACK arrives, one batch in
 * flight, exactly like events — a hub that was down gets every signature when it is back.
 */
export function createSpooledChannel<T>(o: {
  client: MqttClient;
  topic: string;
  dir: string;
  maxBytes: number;
  batchMax: number;
  batchMs: number;
  timers: Timers;
  logger: Logger;
}) {
  const spool = openSpool({ dir: o.dir, maxBytes: o.maxBytes, logger: o.logger });
  let inFlight = false;
  let acked = 0;
  let waiters: (() => void)[] = [];
  const batcher = createBatcher<T>({
    maxItems: o.batchMax,
    maxWaitMs: o.batchMs,
    timers: o.timers,
    onBatch(items) {
      spool.append(JSON.stringify(items), items.length);
      pump();
    },
  });

  function pump(): void {
    if (inFlight || !o.client.connected) return;
    const rec = spool.peek();
    if (!rec) {
      if (batcher.size() === 0) for (const w of waiters.splice(0)) w();
      return;
    }
    inFlight = true;
    o.client.publish(o.topic, rec.payload, { qos: 1 }, (err) => {
      inFlight = false;
      if (err) return; // not acknowledged: kept in the spool, sent again after the reconnect
      spool.ack(rec.seq);
      acked += rec.count;
      pump();
    });
  }

  return {
    add: (items: readonly T[]) => batcher.add(items),
    pump,
    /** Resolves when everything added so far has been acknowledged. */
    drain(): Promise<void> {
      batcher.flush();
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        pump();
      });
    },
    stats: () => ({ acked, spool_depth: spool.depth().events }),
    close(): void {
      batcher.flush();
      waiters = [];
      spool.close();
    },
  };
}
