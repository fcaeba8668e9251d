import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { cpuBetween, threadTimes } from '../../../scripts/lib/thread-cpu.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('thread CPU from /proc', function () {
  before(function () {
    if (!existsSync('/proc/self/task')) {
      console.log('    skipped: no /proc (thread CPU is read on Linux only)');
      this.skip();
    }
  });

  it('tells the main thread from the busiest other thread, counting only what was spent between readings', async () => {
    spin(150); // before the first reading: must not count
    const before = threadTimes(process.pid);
    spin(300);
    const worker = new Worker('const end = Date.now() + 600; while (Date.now() < end); require("worker_threads").parentPort.postMessage(1);', { eval: true });
    await new Promise((r) => worker.once('message', r));
    const after = threadTimes(process.pid);
    await worker.terminate();
    const cpu = cpuBetween(process.pid, before, after)!;
    // Ticks are 10 ms; a shared machine may lend the threads less than their wall time.
    expect(cpu.main).to.be.within(0.05, 0.45);
    expect(cpu.busiest).to.be.greaterThan(0.1);
    expect(cpu.busiest).to.be.greaterThan(cpu.rest);
  });

  it('answers null for a process that does not exist', () => {
    expect(threadTimes(2 ** 22 + 12345)).to.equal(null);
    expect(cpuBetween(1, null, new Map())).to.equal(null);
  });
});
