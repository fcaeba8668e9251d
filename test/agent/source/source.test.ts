import { expect } from 'chai';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '../../../common/errors.js';
import { captureLogger } from '../../helpers/hub.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { computeLetterbox, letterboxFilter } from '../../../agent/source/letterbox.js';
import { endedCleanly } from '../../../agent/source/ffmpeg-decoder.js';
import { FrameQueue, thinIndex } from '../../../agent/source/frame-queue.js';
import { parseRate } from '../../../agent/source/probe.js';
import { backoffMs, openSource } from '../../../agent/source/video-source.js';

const bins = resolveBinaries(process.env);
const media = (name: string) => (process.env.STORE_ASSETS_DIR ? join(process.env.STORE_ASSETS_DIR, 'media', name) : '');

async function expectReject(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(isAppError(err), String(err)).to.equal(true);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail('expected a rejection');
}

describe('agent/source', () => {
  describe('letterbox', () => {
    it('fits 768x432 into 640x640 centred vertically', () => {
      const lb = computeLetterbox(768, 432, 640, 640);
      expect(lb).to.include({ width: 640, height: 360, padX: 0, padY: 140 });
      expect(lb.scale).to.be.closeTo(640 / 768, 1e-12);
      expect(letterboxFilter(lb)).to.equal('scale=640:360:flags=bilinear,pad=640:640:0:140:color=0x727272');
    });
    it('fits a portrait source centred horizontally', () => {
      expect(computeLetterbox(480, 960, 640, 640)).to.include({ width: 320, height: 640, padX: 160, padY: 0 });
    });
    it('puts the picture in the top-left corner for YOLOX (padding right and bottom only)', () => {
      const lb = computeLetterbox(768, 432, 416, 416, 'top-left');
      expect(lb).to.include({ width: 416, height: 234, padX: 0, padY: 0 });
      expect(letterboxFilter(lb)).to.equal('scale=416:234:flags=bilinear,pad=416:416:0:0:color=0x727272');
    });
    it('rejects empty sizes', () => {
      expect(() => computeLetterbox(0, 10, 640, 640)).to.throw(RangeError);
    });
  });

  describe('frame queue', () => {
    it('cuts arbitrary chunks into whole frames, each its own buffer', async () => {
      const q = new FrameQueue({ frameBytes: 4, capacity: 10, overflow: 'pause' });
      q.push(Buffer.from([1, 2, 3]));
      q.push(Buffer.from([4, 5, 6, 7, 8, 9]));
      q.end();
      const a = await q.next();
      const b = await q.next();
      expect([...a!]).to.deep.equal([1, 2, 3, 4]);
      expect([...b!]).to.deep.equal([5, 6, 7, 8]);
      expect(await q.next()).to.equal(undefined);
      expect(q.pendingBytes).to.equal(1);
    });
    it('pauses above capacity and resumes when drained (files)', async () => {
      const events: string[] = [];
      const q = new FrameQueue({ frameBytes: 1, capacity: 2, overflow: 'pause', onPause: () => events.push('pause'), onResume: () => events.push('resume') });
      q.push(Buffer.from([1, 2, 3, 4]));
      expect(events).to.deep.equal(['pause']);
      await q.next();
      await q.next();
      await q.next();
      expect(events).to.deep.equal(['pause', 'resume']);
      expect(q.dropped).to.equal(0);
    });
    it('drops the oldest frame when a live consumer falls behind by more than maxSpan', async () => {
      const q = new FrameQueue({ frameBytes: 1, capacity: 2, overflow: 'thin', maxSpan: 1 });
      q.push(Buffer.from([1, 2, 3, 4]));
      expect(q.dropped).to.equal(2);
      expect([...(await q.next())!]).to.deep.equal([3]);
    });
    it('numbers each frame in the producer\'s stream, so a drop shows as a gap', async () => {
      const q = new FrameQueue({ frameBytes: 1, capacity: 2, overflow: 'thin', maxSpan: 1 });
      q.push(Buffer.from([1]));
      await q.next();
      expect(q.lastSequence).to.equal(0);
      q.push(Buffer.from([2, 3, 4, 5]));
      expect([...(await q.next())!]).to.deep.equal([4]);
      expect(q.lastSequence, 'frames 1 and 2 dropped').to.equal(3);
      await q.next();
      expect(q.lastSequence).to.equal(4);
    });
    it('thins evenly when a live consumer stalls: the newest kept, no hole as long as the stall, never beyond maxSpan', async () => {
      const q = new FrameQueue({ frameBytes: 1, capacity: 4, overflow: 'thin', maxSpan: 100 });
      // A stall of 12 frames: drop-oldest would keep 8..11 (a hole of 8 frames); thinning keeps them spread.
      q.push(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
      expect(q.dropped).to.equal(8);
      const kept: number[] = [];
      for (let i = 0; i < 4; i++) {
        await q.next();
        kept.push(q.lastSequence);
      }
      expect(kept[0], 'the oldest stays while within maxSpan').to.equal(0);
      expect(kept[3], 'the newest stays').to.equal(11);
      const gaps = kept.slice(1).map((s, i) => s - kept[i]!);
      expect(Math.max(...gaps) - Math.min(...gaps), `even spacing: ${kept.join(',')}`).to.be.at.most(1);
    });
    it('thinning picks the inner frame with the closest neighbours, and the oldest once the span is too long', () => {
      expect(thinIndex([0, 1, 2, 3, 4], 100)).to.equal(1);
      expect(thinIndex([0, 2, 3, 4, 5], 100)).to.equal(2);
      expect(thinIndex([0, 4, 8, 9, 10], 100)).to.equal(3);
      expect(thinIndex([0, 4, 8, 9, 10], 9)).to.equal(0);
    });
    it('stamps each frame with its arrival time, also across drops', async () => {
      let t = 1000;
      const q = new FrameQueue({ frameBytes: 1, capacity: 2, overflow: 'thin', maxSpan: 1, now: () => t });
      for (const b of [1, 2, 3]) {
        q.push(Buffer.from([b]));
        t += 100;
      }
      await q.next();
      expect(q.lastArrivalMs).to.equal(1100);
      await q.next();
      expect(q.lastArrivalMs).to.equal(1200);
    });
    it('rethrows the producer error after the queued frames', async () => {
      const q = new FrameQueue({ frameBytes: 1, capacity: 4, overflow: 'pause' });
      q.push(Buffer.from([7]));
      q.fail(new Error('boom'));
      expect([...(await q.next())!]).to.deep.equal([7]);
      await q.next().then(
        () => expect.fail('expected boom'),
        (e: Error) => expect(e.message).to.equal('boom'),
      );
    });
  });

  it('judges fluent-ffmpeg\'s "Output stream closed" race by the exit status (fake process objects: the race needs a loaded machine)', async () => {
    const judge = (proc: Parameters<typeof endedCleanly>[0]) => new Promise<boolean>((r) => endedCleanly(proc, r));
    const exited = (exitCode: number | null, signalCode: NodeJS.Signals | null) => ({ exitCode, signalCode, once: () => undefined });
    expect(await judge(exited(0, null))).to.equal(true);
    expect(await judge(exited(null, 'SIGTERM'))).to.equal(true);
    expect(await judge(exited(1, null))).to.equal(false);
    expect(await judge(exited(null, 'SIGSEGV'))).to.equal(false);
    expect(await judge(undefined)).to.equal(false);
    let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
    const pending = judge({ exitCode: null, signalCode: null, once: (_e, fn) => (onExit = fn) });
    onExit!(0, null);
    expect(await pending).to.equal(true);
  });

  it('parses frame rates', () => {
    expect(parseRate('30000/1001')).to.be.closeTo(29.97, 0.01);
    expect(parseRate('0/0')).to.equal(undefined);
    expect(parseRate('15/1')).to.equal(15);
  });

  it('backs off exponentially up to 30 s', () => {
    expect([0, 1, 2, 3, 10].map(backoffMs)).to.deep.equal([500, 1000, 2000, 4000, 30_000]);
  });

  describe('real ffmpeg', function () {
    this.timeout(60_000);

    it('decodes a GIF into letterboxed frames with file timestamps', async function () {
      const clip = media('store-aisle-detection.gif');
      if (!existsSync(clip)) {
        console.log(`      skipped: ${clip || '$STORE_ASSETS_DIR'} not found (set STORE_ASSETS_DIR)`);
        return this.skip();
      }
      const src = await openSource({ input: clip, inputWidth: 320, inputHeight: 320, ...bins, startTimeMs: 1_000_000 });
      expect(src.info).to.include({ width: 480, height: 270, fps: 15 });
      const frames = [];
      for await (const f of src.frames()) frames.push(f);
      expect(frames.length).to.be.within(66, 68);
      const f = frames[15]!;
      expect(f.rgb.length).to.equal(320 * 320 * 3);
      expect(f.timestampMs).to.equal(1_000_000 + 1000);
      expect(f.letterbox).to.include({ padX: 0, padY: 70, inputWidth: 320 });
      // Pad rows are the letterbox grey, the picture is not.
      expect([...f.rgb.subarray(0, 3)]).to.deep.equal([114, 114, 114]);
      expect(frames[0]!.rgb).to.not.equal(frames[1]!.rgb);
      const mid = (160 * 320 + 160) * 3;
      expect([...f.rgb.subarray(mid, mid + 3)]).to.not.deep.equal([114, 114, 114]);
    });

    it('stops early when closed', async function () {
      const clip = media('one-by-one-person-detection.mp4');
      if (!existsSync(clip)) {
        console.log(`      skipped: ${clip || '$STORE_ASSETS_DIR'} not found (set STORE_ASSETS_DIR)`);
        return this.skip();
      }
      const src = await openSource({ input: clip, inputWidth: 640, inputHeight: 640, ...bins });
      expect(src.info).to.include({ width: 768, height: 432, fps: 10, frames: 1394 });
      let n = 0;
      for await (const _ of src.frames()) if (++n === 5) src.close();
      expect(n).to.equal(5);
    });

    it('names a missing file', async () => {
      await expectReject(openSource({ input: '/nonexistent/clip.mp4', inputWidth: 640, inputHeight: 640, ...bins }), /\/nonexistent\/clip\.mp4: file not found/);
    });

    it('names a file that is not a video', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'src-'));
      const bad = join(dir, 'notes.mp4');
      writeFileSync(bad, 'this is not a video\n'.repeat(50));
      try {
        await expectReject(openSource({ input: bad, inputWidth: 640, inputHeight: 640, ...bins }), /notes\.mp4: cannot open video/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('retries a dead rtsp URL until stopped, without printing its password', async () => {
      const ac = new AbortController();
      const { logger, lines } = captureLogger();
      const opening = openSource({ input: 'rtsp://cam:Dead-pw-5@127.0.0.1:9/cam', inputWidth: 640, inputHeight: 640, ...bins, logger, signal: ac.signal });
      while (!lines.some((l) => l.event === 'camera_unreachable')) await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await expectReject(opening, /rtsp:\/\/\*\*\*@127\.0\.0\.1:9\/cam: stopped before the camera answered/);
      expect(JSON.stringify(lines)).to.match(/Connection refused/).and.not.include('Dead-pw-5');
    });
  });
});
