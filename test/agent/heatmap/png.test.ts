import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { crc32, encodePng } from '../../../agent/heatmap/png.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';

/** Decodes a PNG with the real ffmpeg (a decoder we did not write) back to raw RGB24. */
function decodeWithFfmpeg(png: Buffer): Buffer {
  const r = spawnSync(resolveBinaries(process.env).ffmpegPath, ['-v', 'error', '-f', 'png_pipe', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    input: png,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode the PNG: ${r.stderr.toString()}`);
  return r.stdout;
}

describe('agent/heatmap PNG encoder', () => {
  it('round-trips through ffmpeg pixel for pixel (gradient, noise and flat areas exercise all three filters)', () => {
    const w = 97;
    const h = 61;
    const data = new Uint8Array(w * h * 3);
    let seed = 1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const i = (y * w + x) * 3;
        if (y < 20) data.set([x * 2, y * 4, 128], i);
        else if (y < 40) data.set([seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff], i);
        else data.set([30, 60, 90], i);
      }
    }
    const png = encodePng({ width: w, height: h, data });
    expect(png.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
    expect(Buffer.compare(decodeWithFfmpeg(png), Buffer.from(data))).to.equal(0);
  });

  it('computes the CRC-32 of the PNG spec (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).to.equal(0xcbf43926);
  });

  it('refuses data of the wrong size', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(11) })).to.throw(RangeError, /expected 2×2×3/);
  });
});
