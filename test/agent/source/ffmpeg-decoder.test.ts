import { expect } from 'chai';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { missedPackets, startDecoder, type Decoder, type DecoderOptions } from '../../../agent/source/ffmpeg-decoder.js';
import { startThreadedDecoder } from '../../../agent/source/threaded-decoder.js';

const bins = resolveBinaries(process.env);

/** Two consecutive free UDP ports (RTP and RTCP), the first even as RTP wants, other than `not`. */
async function portPair(not?: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 10_000);
    if (base === not) continue;
    const socks = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
    const ok = await Promise.all(socks.map((s, i) => new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.bind(base + i, '127.0.0.1', () => resolve(true));
    })));
    await Promise.all(socks.map((s) => new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } })));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free UDP port pair');
}

/**
 * A lossy network between an RTP sender and the decoder: forwards RTP packets from `from` to `to`, dropping every
 * `dropEvery`-th, and RTCP (the next ports) untouched.
 */
function lossyRelay(from: number, to: number, dropEvery: number) {
  const socks: dgram.Socket[] = [];
  const counts = { relayed: 0, dropped: 0 };
  for (const off of [0, 1]) {
    const s = dgram.createSocket('udp4');
    const out = dgram.createSocket('udp4');
    s.on('message', (m) => {
      if (off === 0 && ++counts.relayed % dropEvery === 0) return void counts.dropped++;
      out.send(m, to + off, '127.0.0.1');
    });
    s.bind(from + off, '127.0.0.1');
    socks.push(s, out);
  }
  return { counts, close: () => socks.forEach((s) => s.close()) };
}

describe('agent/source/ffmpeg-decoder', function () {
  this.timeout(60_000);

  it('reads the packets ffmpeg reports lost from its stderr lines', () => {
    expect(missedPackets('[rtsp @ 0x55d0c1a2b3c0] RTP: missed 12 packets')).to.equal(12);
    expect(missedPackets('[sdp @ 0x183fbc00] RTP: missed 1 packets')).to.equal(1);
    expect(missedPackets('[sdp @ 0x183fbc00] max delay reached. need to consume packet')).to.equal(0);
    expect(missedPackets('frame=   31 fps= 28 q=-0.0 size=N/A')).to.equal(0);
  });

  // Real ffmpeg on both sides: a test pattern sent as RTP/JPEG over UDP through a relay that drops packets, read by
  // the agent's decoder from an SDP description, as a camera's stream over a lossy network is.
  for (const [name, start] of [['in process', startDecoder], ['on its thread', startThreadedDecoder]] as const) {
    it(`counts the RTP packets a lossy network drops, though frames keep coming (${name}) @integration`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rtp-loss-'));
      const relayPort = await portPair();
      const decoderPort = await portPair(relayPort);
      const sdp = join(dir, 'camera.sdp');
      // Payload type 26 (JPEG) is static: the description needs no codec parameters.
      writeFileSync(sdp, `v=0\no=- 0 0 IN IP4 127.0.0.1\ns=camera\nc=IN IP4 127.0.0.1\nt=0 0\nm=video ${decoderPort} RTP/AVP 26\n`);
      const relay = lossyRelay(relayPort, decoderPort, 25);
      const opts: DecoderOptions = {
        input: sdp,
        ffmpegPath: bins.ffmpegPath,
        inputOptions: ['-protocol_whitelist', 'file,udp,rtp'],
        filter: 'scale=64:48',
        fps: undefined,
        frameBytes: 64 * 48 * 3,
        capacity: 8,
        overflow: 'thin',
        stallMs: 20_000,
      };
      const decoder: Decoder = start(opts);
      const sender = spawn(bins.ffmpegPath, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10',
        '-c:v', 'mjpeg', '-huffman', '0', '-pix_fmt', 'yuvj420p', '-q:v', '5', '-f', 'rtp', `rtp://127.0.0.1:${relayPort}`], { stdio: 'ignore' });
      try {
        let frames = 0;
        while (frames < 40 && (await decoder.queue.next())) frames++;
        expect(frames, 'frames still flow over the lossy link').to.equal(40);
        expect(relay.counts.dropped, 'the relay dropped packets').to.be.at.least(3);
        // Each drop is reported once its gap is given up on (a reorder delay later), so the last ones may not be yet.
        // Most must be counted, none invented.
        expect(decoder.lostPackets(), `lost of ${relay.counts.dropped} dropped`).to.be.within(Math.ceil(relay.counts.dropped / 2), relay.counts.dropped);
      } finally {
        sender.kill('SIGKILL');
        decoder.kill();
        relay.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
