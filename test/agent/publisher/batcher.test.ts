import { expect } from 'chai';
import { createBatcher } from '../../../agent/publisher/batcher.js';
import { fakeTimers } from '../../../agent/publisher/timers.js';

describe('agent/publisher/batcher', () => {
  function setup(maxItems = 3, maxWaitMs = 1000) {
    const timers = fakeTimers();
    const batches: number[][] = [];
    const b = createBatcher<number>({ maxItems, maxWaitMs, timers, onBatch: (x) => batches.push(x) });
    return { timers, batches, b };
  }

  it('emits a full batch at once, without waiting', () => {
    const { b, batches } = setup(3);
    b.add([1, 2, 3, 4]);
    expect(batches).to.deep.equal([[1, 2, 3]]);
    expect(b.size()).to.equal(1);
  });

  it('emits a partial batch maxWaitMs after its first item, not after the last', () => {
    const { b, batches, timers } = setup(10, 1000);
    b.add([1]);
    timers.advance(600);
    b.add([2]);
    timers.advance(399);
    expect(batches).to.deep.equal([]);
    timers.advance(1);
    expect(batches).to.deep.equal([[1, 2]]);
    timers.advance(5000);
    expect(batches).to.have.length(1);
  });

  it('restarts the wait for the next batch and keeps order', () => {
    const { b, batches, timers } = setup(2, 100);
    b.add([1, 2, 3]);
    timers.advance(100);
    b.add([4]);
    timers.advance(100);
    expect(batches).to.deep.equal([[1, 2], [3], [4]]);
  });

  it('flush emits the partial batch and cancels its timer', () => {
    const { b, batches, timers } = setup(10, 100);
    b.add([1]);
    b.flush();
    expect(batches).to.deep.equal([[1]]);
    expect(timers.pendingCount()).to.equal(0);
    b.flush();
    expect(batches).to.have.length(1);
  });

  it('rejects a bad maxItems with a clear error', () => {
    expect(() => createBatcher({ maxItems: 0, maxWaitMs: 1, timers: fakeTimers(), onBatch: () => {} })).to.throw(/maxItems/);
  });
});
