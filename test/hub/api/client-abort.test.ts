import { expect } from 'chai';
import net from 'node:net';
import { startTestHub } from '../../helpers/hub.js';

describe('a client that goes away mid-request', function () {
  this.timeout(30_000);

  it('is logged as an abort (499, info), not as an error or a 500', async () => {
    const hub = await startTestHub();
    try {
      const sock = net.connect(hub.httpPort, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write('POST /events/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"events":[');
      // Let the hub start reading the body, then hang up (a pause, not a timed assertion).
      await new Promise((r) => setTimeout(r, 200));
      sock.destroy();
      let done: Record<string, unknown> | undefined;
      while (!(done = hub.logs.find((l) => l.event === 'request_complete' && l.path === '/events/ingest'))) await new Promise((r) => setTimeout(r, 20));
      expect(done.status_code).to.equal(499);
      expect(done.client_aborted).to.equal(true);
      expect(hub.logs.filter((l) => l.level === 'error')).to.deep.equal([]);
    } finally {
      await hub.close();
    }
  });
});
