import { expect } from 'chai';
import { isAppError } from '../../../common/errors.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { startThreadedDecoder } from '../../../agent/source/threaded-decoder.js';

const bins = resolveBinaries(process.env);
// Frames the size the agent decodes (640² RGB, 1.2 MB): ffmpeg's stdout buffer holds less than one.
const W = 640;
const H = 640;

/** A live-like input: ffmpeg's test pattern at 25 fps, paced by -re. */
function testPattern(o: { seconds: number; capacity: number }) {
  return startThreadedDecoder({
    input: `testsrc=size=${W}x${H}:rate=25:duration=${o.seconds}`,
    ffmpegPath: bins.ffmpegPath,
    inputOptions: ['-re', '-f', 'lavfi'],
    filter: 'null',
    fps: 25,
    frameBytes: W * H * 3,
    capacity: o.capacity,
    overflow: 'thin',
    stallMs: 20_000,
  });
}

describe('agent/source/threaded-decoder', function () {
  this.timeout(60_000);

  it('keeps reading ffmpeg while the main thread is blocked: frames dropped there, oldest first, counted, numbered', async () => {
    const d = testPattern({ seconds: 30, capacity: 2 });
    try {
      const first = await d.queue.next();
      expect(first!.length).to.equal(W * H * 3);
      expect(d.queue.lastSequence).to.equal(0);
      expect(d.pid(), 'ffmpeg pid known once frames flow').to.be.a('number');
      // Synchronous work on the main thread (as onnxruntime-node's inference is): 1.5 s, ~37 frames of the pattern.
      for (const end = Date.now() + 1500; Date.now() < end; );
      // Let the thread's replies in, then read what it kept: the newest `capacity` frames, the rest dropped.
      const next = await d.queue.next();
      expect(next!.length).to.equal(W * H * 3);
      // In the main thread the same decoder would have read at most the frame ffmpeg was blocked writing.
      expect(d.queue.dropped, 'frames dropped by the decoder thread while the main thread was blocked').to.be.at.least(5);
      expect(d.queue.lastSequence, 'the gap shows in the frame numbers').to.be.at.least(6);
      const seq = d.queue.lastSequence;
      await d.queue.next();
      expect(d.queue.lastSequence).to.be.greaterThan(seq);
    } finally {
      d.kill();
    }
    expect(await d.queue.next(), 'killed: the end').to.equal(undefined);
  });

  it('ends at the end of the input and reports a failure as an AppError', async () => {
    const d = testPattern({ seconds: 0.4, capacity: 50 });
    let n = 0;
    while (await d.queue.next()) n++;
    expect(n).to.be.within(9, 11);
    const bad = startThreadedDecoder({ input: '/nonexistent.mp4', ffmpegPath: bins.ffmpegPath, inputOptions: [], filter: 'null', fps: undefined, frameBytes: 3, capacity: 2, overflow: 'thin' });
    await bad.queue.next().then(
      () => expect.fail('expected a failure'),
      (err: unknown) => {
        expect(isAppError(err) && err.code).to.equal('INPUT_UNREADABLE');
        expect((err as Error).message).to.match(/nonexistent/);
      },
    );
  });
});
