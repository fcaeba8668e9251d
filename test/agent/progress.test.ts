import { expect } from 'chai';
import { createProgress, formatDuration, formatProgress } from '../../agent/progress.js';

describe('agent/progress', () => {
  it('formats frames, fps and ETA', () => {
    expect(formatProgress({ frames: 100, total: 1000, elapsedS: 10 })).to.equal('frames 100/1000 (10%)  10.0 fps  ETA 1m30s');
    expect(formatProgress({ frames: 50, total: undefined, elapsedS: 5 })).to.equal('frames 50  10.0 fps');
    expect(formatDuration(3725)).to.equal('1h02m');
  });
  it('stays silent when stderr is not a TTY', () => {
    const writes: string[] = [];
    const stream = { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const p = createProgress(stream, 10);
    p.update(5);
    p.done();
    expect(writes).to.deep.equal([]);
  });
});
