import { deflateSync } from 'node:zlib';
import type { RgbImage } from './background.js';

/**
 * A minimal PNG encoder (RFC 2083 / ISO 15948): 8-bit RGB, no interlace, one IDAT, per-row filter chosen by the
 * minimum-sum-of-absolute-differences heuristic the spec recommends (§12.8). No native dependency: node:zlib does
 * the deflate. A 640×360 background encodes to ~150–300 kB; see docs/drafts/dashboard.md.
 */
export function encodePng(img: RgbImage): Buffer {
  const { width, height, data } = img;
  if (!(width >= 1 && height >= 1) || data.length !== width * height * 3) {
    throw new RangeError(`png: image data is ${data.length} bytes, expected ${width}×${height}×3`);
  }
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  const candidate = [Buffer.alloc(stride), Buffer.alloc(stride), Buffer.alloc(stride)];
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? data.subarray((y - 1) * stride, y * stride) : null;
    let best = 0;
    let bestCost = Infinity;
    // Filters 0 (None), 1 (Sub), 2 (Up).
    for (let f = 0; f < 3; f++) {
      const c = candidate[f]!;
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const left = i >= 3 ? row[i - 3]! : 0;
        const above = up ? up[i]! : 0;
        const v = (row[i]! - (f === 1 ? left : f === 2 ? above : 0)) & 0xff;
        c[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    raw[y * (stride + 1)] = best;
    candidate[best]!.copy(raw, y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG defines it (ISO 3309), over chunk type and data. */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
