import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * Pure: follows MQTT's framing (one type byte, then the Remaining Length as a variable byte integer of up to
 * four bytes [MQTT-2.2.3], then that many bytes) across chunks, and reports the first packet whose Remaining
 * Length exceeds `maxBytes`. Only header bytes are looked at; bodies are skipped by count.
 */
export function createFrameWatcher(maxBytes: number) {
  let state: 'type' | 'length' | 'body' = 'type';
  let remaining = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  return {
    /** For an oversized packet: its declared size (or as much of it as has arrived, already over the limit); else null. */
    feed(chunk: Buffer): number | null {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'body') {
          const skip = Math.min(remaining, chunk.length - i);
          remaining -= skip;
          i += skip;
          if (remaining === 0) state = 'type';
          continue;
        }
        const byte = chunk[i++]!;
        if (state === 'type') {
          state = 'length';
          remaining = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        remaining += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes += 1;
        if (remaining > maxBytes) return remaining;
        if (byte & 0x80) {
          if (lengthBytes >= 4) return remaining; // malformed: aedes would refuse it too
          continue;
        }
        state = remaining === 0 ? 'type' : 'body';
      }
      return null;
    },
  };
}

/**
 * Wraps a client socket so a packet declaring more than `maxBytes` closes the connection as soon as its header
 * arrives, before aedes buffers it: aedes 1.x (mqtt-packet) has no packet size limit of its own and kept two
 * anonymous 200 MB publishes in memory. Reads are passed on with backpressure (the socket pauses while aedes
 * has not read what it was given).
 */
export function limitPacketSize(socket: Socket, maxBytes: number, onTooLarge: (declaredBytes: number) => void): Duplex {
  const watcher = createFrameWatcher(maxBytes);
  const conn = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, cb) {
      socket.write(chunk, encoding, cb);
    },
    final(cb) {
      socket.end(cb);
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  // Who is on the other end, for the login throttle and logs (aedes only sees this stream).
  Object.defineProperty(conn, 'remoteAddress', { value: socket.remoteAddress, enumerable: true });
  socket.on('data', (chunk: Buffer) => {
    const size = watcher.feed(chunk);
    if (size !== null) {
      onTooLarge(size);
      socket.destroy();
      conn.destroy();
      return;
    }
    if (!conn.push(chunk)) socket.pause();
  });
  socket.on('end', () => conn.push(null));
  socket.on('close', () => conn.destroy());
  socket.on('error', (err) => conn.destroy(err));
  return conn;
}
