import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';

/** One batch waiting in the spool for its PUBACK. */
export interface SpoolRecord {
  seq: number;
  count: number;
  /** The MQTT payload: the JSON array of events, exactly as it will be published. */
  payload: Buffer;
}

interface Entry {
  seq: number;
  count: number;
  offset: number;
  /** Bytes of the whole line, newline included. */
  length: number;
  /** Where the payload starts inside the line. */
  payloadStart: number;
}

export interface SpoolOptions {
  dir: string;
  /** Most bytes of unacknowledged batches kept; past it the oldest are dropped (with an error log). */
  maxBytes: number;
  logger: Logger;
}

const LOG_FILE = 'spool.log';
const ACK_FILE = 'spool.ack';

/**
 * Append-only write-ahead spool of batches: `<seq> <count> <json array>\n` lines in spool.log, and in spool.ack
 * the highest seq acknowledged (or dropped). Every batch is appended before it is published and leaves only
 * when its PUBACK arrives, so a killed agent resends what was not acknowledged. Batches are acked in
 * seq order (one in flight per camera), so one watermark is the whole ack state. No fsync: a killed process
 * loses nothing (the page cache survives it); a power cut may lose the last second, which the hub de-duplicates
 * anyway if it was delivered — see docs/drafts/mqtt.md.
 */
export function openSpool(opts: SpoolOptions) {
  mkdirSync(opts.dir, { recursive: true });
  const logPath = join(opts.dir, LOG_FILE);
  const ackPath = join(opts.dir, ACK_FILE);
  let acked = existsSync(ackPath) ? Number(readFileSync(ackPath, 'utf8').trim()) || 0 : 0;
  let entries: Entry[] = [];
  let fileBytes = 0;
  let pendingBytes = 0;
  let droppedEvents = 0;
  let droppedBatches = 0;

  // Recovery: keep the complete lines after the watermark; a torn last line (killed mid-append) is cut off.
  if (existsSync(logPath)) {
    const buf = readFileSync(logPath);
    let off = 0;
    while (off < buf.length) {
      const nl = buf.indexOf(0x0a, off);
      if (nl < 0) break;
      const e = parseHeader(buf, off, nl + 1 - off);
      if (!e) break;
      if (e.seq > acked) {
        entries.push(e);
        pendingBytes += e.length;
      }
      off = nl + 1;
    }
    fileBytes = off;
    if (off < buf.length) {
      opts.logger.warn({ event: 'spool_torn_tail', bytes: buf.length - off }, 'spool: cut an incomplete last record');
    }
  }
  let nextSeq = Math.max(acked, entries.at(-1)?.seq ?? 0) + 1;
  let fd = openSync(logPath, existsSync(logPath) ? 'r+' : 'w+');
  ftruncateSync(fd, fileBytes);
  if (entries.length === 0) truncateAll();

  function parseHeader(buf: Buffer, offset: number, length: number): Entry | null {
    const s1 = buf.indexOf(0x20, offset);
    const s2 = s1 < 0 ? -1 : buf.indexOf(0x20, s1 + 1);
    if (s1 < 0 || s2 < 0 || s2 >= offset + length) return null;
    const seq = Number(buf.toString('latin1', offset, s1));
    const count = Number(buf.toString('latin1', s1 + 1, s2));
    if (!Number.isInteger(seq) || !Number.isInteger(count)) return null;
    return { seq, count, offset, length, payloadStart: s2 + 1 - offset };
  }

  function writeAck(): void {
    // write-then-rename: the watermark file is always whole (POSIX rename is atomic).
    writeFileSync(`${ackPath}.tmp`, String(acked));
    renameSync(`${ackPath}.tmp`, ackPath);
  }

  function truncateAll(): void {
    ftruncateSync(fd, 0);
    fileBytes = 0;
  }

  /** Rewrites the file with only the pending records once acknowledged ones fill more than half of it. */
  function maybeCompact(): void {
    if (entries.length === 0) return truncateAll();
    const first = entries[0]!.offset;
    if (first < fileBytes / 2) return;
    const tail = Buffer.alloc(fileBytes - first);
    readSync(fd, tail, 0, tail.length, first);
    writeFileSync(`${logPath}.tmp`, tail);
    renameSync(`${logPath}.tmp`, logPath);
    closeSync(fd);
    fd = openSync(logPath, 'r+');
    for (const e of entries) e.offset -= first;
    fileBytes = tail.length;
  }

  function dropOldest(): void {
    const e = entries.shift()!;
    pendingBytes -= e.length;
    droppedEvents += e.count;
    droppedBatches += 1;
    acked = e.seq;
    opts.logger.error(
      { event: 'spool_overflow_drop', seq: e.seq, events: e.count, dropped_events_total: droppedEvents, max_bytes: opts.maxBytes },
      `spool full (AGENT_SPOOL_MAX_MB): dropped the oldest batch of ${e.count} events`,
    );
  }

  return {
    /** Appends a batch; returns its seq. Drops the oldest batches first if the spool would exceed maxBytes. */
    append(payload: Buffer | string, count: number): number {
      const seq = nextSeq++;
      const line = Buffer.concat([Buffer.from(`${seq} ${count} `), Buffer.isBuffer(payload) ? payload : Buffer.from(payload), Buffer.from('\n')]);
      let dropped = false;
      while (entries.length > 0 && pendingBytes + line.length > opts.maxBytes) (dropOldest(), (dropped = true));
      if (dropped) writeAck();
      writeSync(fd, line, 0, line.length, fileBytes);
      entries.push({ seq, count, offset: fileBytes, length: line.length, payloadStart: line.indexOf(0x20, line.indexOf(0x20) + 1) + 1 });
      fileBytes += line.length;
      pendingBytes += line.length;
      return seq;
    },
    /** The oldest unacknowledged batch, read back from disk. */
    peek(): SpoolRecord | null {
      const e = entries[0];
      if (!e) return null;
      const payload = Buffer.alloc(e.length - e.payloadStart - 1);
      readSync(fd, payload, 0, payload.length, e.offset + e.payloadStart);
      return { seq: e.seq, count: e.count, payload };
    },
    /** Marks every batch up to `seq` acknowledged; a seq already dropped or acked is a no-op. */
    ack(seq: number): void {
      if (seq <= acked) return;
      while (entries.length > 0 && entries[0]!.seq <= seq) pendingBytes -= entries.shift()!.length;
      acked = seq;
      writeAck();
      maybeCompact();
    },
    /** Batches and events not yet acknowledged. */
    depth: () => ({ batches: entries.length, events: entries.reduce((n, e) => n + e.count, 0), bytes: pendingBytes }),
    dropped: () => ({ batches: droppedBatches, events: droppedEvents }),
    fileBytes: () => (existsSync(logPath) ? statSync(logPath).size : 0),
    close(): void {
      closeSync(fd);
    },
  };
}
export type Spool = ReturnType<typeof openSpool>;
