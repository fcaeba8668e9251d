import { expect } from 'chai';
import { createFrameWatcher } from '../../../hub/transport/packet-guard.js';

/** A QoS 0 PUBLISH on topic "t" written out by hand: type byte, Remaining Length (variable byte integer), body. */
function publish(bytes: number): Buffer {
  const body = Buffer.concat([Buffer.from([0, 1, 0x74]), Buffer.alloc(bytes)]);
  const len: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30, ...len]), body]);
}

describe('hub/transport/packet-guard: MQTT framing watcher (pure)', () => {
  it('passes packets up to the limit, split anywhere, and flags the first bigger one at its header', () => {
    const stream = Buffer.concat([publish(10), publish(1000), publish(200_000)]);
    for (const step of [1, 3, 7, 4096, stream.length]) {
      const w = createFrameWatcher(1100);
      let flagged: number | null = null;
      let at = -1;
      for (let i = 0; i < stream.length && flagged === null; i += step) {
        flagged = w.feed(stream.subarray(i, i + step));
        at = i;
      }
      expect(flagged, `step ${step}`).to.be.greaterThan(1100); // the declared size, or as much of it as has arrived
      expect(at, `step ${step}`).to.be.below(1010 + 20 + step); // before the big body was read
    }
  });
});
