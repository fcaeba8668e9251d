/**
 * The RTSP source against a real RTSP server (GStreamer's, fixtures/rtsp-server.py) fed by real ffmpeg: both
 * transports, TCP refused, a camera unreachable at start, and an outage. Skips, saying why, without the server
 * or the clip.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogger } from '../../helpers/hub.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { redactCredentials, redactorFor, secretsOf } from '../../../agent/source/redact.js';
import { socketTimeoutFlag, transportRefused } from '../../../agent/source/rtsp-options.js';
import { openSource, type SourceOptions, type VideoSource } from '../../../agent/source/video-source.js';
import type { Frame } from '../../../agent/types.js';
import { freeTcpPort, publishClip, rtspServerUnavailable, startRtspServer, type ClipPublisher, type RtspServer } from './rtsp-server.js';

const bins = resolveBinaries(process.env);
const CLIP = process.env.STORE_ASSETS_DIR ? join(process.env.STORE_ASSETS_DIR, 'media', 'one-by-one-person-detection.mp4') : '';

describe('agent/source rtsp', () => {
  describe('credential redaction', () => {
    it('masks URL user-info and the password wherever it appears', () => {
      const url = 'rtsp://admin:p%40ss!word@10.0.0.5:554/Streaming/101';
      expect(secretsOf(url)).to.deep.equal(['p%40ss!word', 'p@ss!word']);
      const red = redactorFor(url);
      expect(red(`${url}: Connection refused`)).to.equal('rtsp://***@10.0.0.5:554/Streaming/101: Connection refused');
      expect(red('Authorization failed for user admin password p@ss!word')).to.equal('Authorization failed for user admin password ***');
      expect(redactCredentials('tcp://127.0.0.1:1?timeout=5 and rtsp://127.0.0.1/cam')).to.equal('tcp://127.0.0.1:1?timeout=5 and rtsp://127.0.0.1/cam');
      expect(redactCredentials('see RTSP://u:x@h/a and rtsps://u@h/b')).to.equal('see RTSP://***@h/a and rtsps://***@h/b');
    });
  });

  it('tells a refused transport from an unreachable camera', () => {
    expect(transportRefused('rtsp://h/cam: cannot open video ([rtsp @ 0x1] method SETUP failed: 461 Unsupported transport | rtsp://h/cam: Protocol not supported)')).to.equal(true);
    expect(transportRefused('rtsp://h/cam: cannot open video (Connection refused)')).to.equal(false);
  });

  it("reads the socket timeout option's name from each binary's help (ffmpeg 4: -stimeout, 5+: -timeout)", () => {
    for (const bin of [bins.ffmpegPath, bins.ffprobePath]) expect(socketTimeoutFlag(bin)).to.be.oneOf(['-stimeout', '-timeout']);
  });

  describe('real RTSP server @integration', function () {
    this.timeout(120_000);
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0).reverse()) await fn();
    });
    before(function () {
      const why = rtspServerUnavailable() ?? (existsSync(CLIP) ? undefined : `${CLIP || '$STORE_ASSETS_DIR/media/one-by-one-person-detection.mp4'} not found`);
      if (why) {
        console.log(`      skipped: ${why}`);
        this.skip();
      }
    });

    async function camera(o: Parameters<typeof startRtspServer>[0] = {}, pub: { codec?: 'h264' | 'h265' } = {}): Promise<{ server: RtspServer; publisher: ClipPublisher }> {
      const server = await startRtspServer(o);
      cleanup.push(() => server.stop());
      const publisher = publishClip({ ffmpegPath: bins.ffmpegPath, clip: CLIP, rtpPort: server.rtpPort, fps: 10, loop: true, ...pub });
      cleanup.push(() => publisher.stop());
      return { server, publisher };
    }
    async function open(o: Partial<SourceOptions> & { input: string }): Promise<VideoSource> {
      const src = await openSource({ inputWidth: 320, inputHeight: 320, ...bins, ...o });
      cleanup.push(async () => src.close());
      return src;
    }
    async function take(src: VideoSource, n: number): Promise<Frame[]> {
      const out: Frame[] = [];
      for await (const f of src.frames()) if (out.push(f) === n) break;
      return out;
    }

    for (const transport of ['tcp', 'udp'] as const) {
      it(`reads a live H.264 stream over ${transport.toUpperCase()}, stamped in the camera's clock from the first arrival`, async () => {
        const { server } = await camera();
        const { logger, lines } = captureLogger();
        const src = await open({ input: server.url, rtspTransport: transport, logger });
        expect(src.kind).to.equal('rtsp');
        expect(src.info).to.include({ width: 768, height: 432, fps: 10 });
        const frames = (await take(src, 25)).slice(10);
        expect(frames.map((f) => f.rgb.length)).to.deep.equal(frames.map(() => 320 * 320 * 3));
        expect(frames.map((f) => f.segment)).to.deep.equal(frames.map(() => 0));
        const ts = frames.map((f) => f.timestampMs);
        expect(ts.every((t, i) => i === 0 || t >= ts[i - 1]!), 'timestamps never go back').to.equal(true);
        expect(ts.slice(1).map((t, i) => t - ts[i]!), '1 / fps apart').to.deep.equal(ts.slice(1).map(() => 100));
        expect(Math.abs(ts[0]! - Date.now()), 'near the wall clock').to.be.below(60_000);
        expect(lines.filter((l) => l.event === 'rtsp_transport').map((l) => l.transport)).to.deep.equal([transport]);
      });
    }

    it('auto: TCP refused (461) → UDP, logged once; credentials in no log line', async () => {
      const password = 'Zq7-secret-pw';
      const { server } = await camera({ protocols: 'udp', user: 'viewer', password });
      const { logger, lines } = captureLogger();
      const src = await open({ input: server.url, logger });
      expect(await take(src, 5)).to.have.length(5);
      const chosen = lines.filter((l) => l.event === 'rtsp_transport');
      expect(chosen.map((l) => [l.transport, l.requested])).to.deep.equal([['udp', 'auto']]);
      const text = JSON.stringify(lines);
      expect(text).to.not.include(password);
      expect(text).to.include('rtsp://***@127.0.0.1');
    });

    it('reads H.265 when the camera sends it', async function () {
      const { server } = await camera({ codec: 'h265' }, { codec: 'h265' });
      const src = await open({ input: server.url });
      expect(src.info.codec).to.equal('hevc');
      expect(await take(src, 5)).to.have.length(5);
    });

    it('a camera unreachable at start is retried with backoff until it answers; its password is never printed', async () => {
      const password = 'Unreach-pw-91';
      const port = await freeTcpPort();
      const url = `rtsp://viewer:${password}@127.0.0.1:${port}/cam`;
      const { logger, lines } = captureLogger();
      const opening = open({ input: url, logger });
      const unreachable = () => lines.filter((l) => l.event === 'camera_unreachable');
      while (unreachable().length < 2) await new Promise((r) => setTimeout(r, 100));
      await camera({ port, user: 'viewer', password });
      const src = await opening;
      expect(await take(src, 3)).to.have.length(3);
      const tries = unreachable();
      expect(tries.map((l) => l.delayMs).slice(0, 2)).to.deep.equal([500, 1000]);
      expect(String(tries[0]!.err)).to.match(/Connection refused/);
      expect(JSON.stringify(lines)).to.not.include(password);
    });

    it('a stalled stream is reconnected: a new segment, the outage counted, its gap logged', async () => {
      const { server, publisher } = await camera();
      const { logger, lines } = captureLogger();
      const states: string[] = [];
      const src = await open({ input: server.url, logger, stallMs: 2000, onState: (s) => states.push(s) });
      const segments: number[] = [];
      let stopped = false;
      let restarted = false;
      for await (const f of src.frames()) {
        segments.push(f.segment ?? 0);
        if (!stopped && segments.length === 10) {
          stopped = true;
          await publisher.stop();
          setTimeout(() => {
            restarted = true;
            const again = publishClip({ ffmpegPath: bins.ffmpegPath, clip: CLIP, rtpPort: server.rtpPort, fps: 10, loop: true });
            cleanup.push(() => again.stop());
          }, 4000);
        }
        if ((f.segment ?? 0) === 1 && segments.filter((s) => s === 1).length === 5) break;
      }
      expect(restarted).to.equal(true);
      expect(segments.slice(0, 10)).to.deep.equal(Array(10).fill(0));
      expect(src.stats().outages).to.equal(1);
      expect(src.stats().gapMs).to.be.greaterThan(4000);
      expect(states).to.deep.equal(['online', 'offline', 'online']);
      expect(lines.filter((l) => l.event === 'stream_lost')).to.have.length(1);
      const back = lines.filter((l) => l.event === 'stream_recovered');
      expect(back).to.have.length(1);
      expect(back[0]!.gap_ms).to.equal(src.stats().gapMs);
    });
  });
});
