import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { cameraTopic, hubTopic } from '../../../common/topics.js';
import { startTestHub } from '../../helpers/hub.js';

/** Reads SSE frames of one event name from a fetch body. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  let buf = '';
  return async function next(event: string): Promise<unknown> {
    for (;;) {
      const i = buf.indexOf('\n\n');
      if (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (name === event) return JSON.parse(data);
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += Buffer.from(value).toString('utf8');
    }
  };
}

describe('GET /stores/:id/cameras/:cam/live: positions relayed while a page watches @integration', function () {
  this.timeout(60_000);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const STORE = `LIVE_${tag}`;

  it('an open stream raises the watch flag, relays valid positions only, and lowers the flag when closed', async () => {
    const hub = await startTestHub();
    const agent = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: `agent-${STORE}-CAM_1`, protocolVersion: 4, reconnectPeriod: 0 });
    const watch: string[] = [];
    agent.on('message', (t, p) => t === hubTopic(STORE, 'CAM_1', 'watch') && watch.push(p.toString()));
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 800 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(pred()).to.equal(true);
    };
    try {
      const put = await fetch(`${hub.url}/stores/${STORE}/layout`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'L', cameras: [{ camera_id: 'CAM_1' }] }) });
      expect(put.status).to.equal(201);
      expect((await fetch(`${hub.url}/stores/${STORE}/cameras/CAM_9/live`)).status).to.equal(404);
      await agent.subscribeAsync(hubTopic(STORE, 'CAM_1', 'watch'), { qos: 1 });

      const ac = new AbortController();
      const res = await fetch(`${hub.url}/stores/${STORE}/cameras/CAM_1/live`, { signal: ac.signal });
      expect(res.headers.get('content-type')).to.match(/text\/event-stream/);
      const next = sseReader(res.body!);
      await until(() => watch.length >= 1);
      expect(JSON.parse(watch[0]!)).to.deep.equal({ ttl_ms: 60_000, max_hz: 5 });

      const bad = { ts: Date.now(), tracks: [{ id: 1, x: 2, y: 0.5 }], fired: [] };
      const good = { ts: Date.now(), tracks: [{ id: 3, x: 0.4, y: 0.8 }], fired: [{ type: 'ENTRY', zone_id: null }] };
      await agent.publishAsync(cameraTopic(STORE, 'CAM_1', 'live'), JSON.stringify(bad), { qos: 1 });
      await agent.publishAsync(cameraTopic(STORE, 'CAM_1', 'live'), JSON.stringify(good), { qos: 1 });
      expect(await next('positions')).to.deep.equal(good); // the invalid one was dropped, not relayed
      expect(hub.mqtt.stats().invalid_messages).to.be.at.least(1);

      ac.abort();
      await until(() => watch.at(-1) === '');
      expect(hub.hub.liveRelay.watching(STORE, 'CAM_1')).to.equal(0);
    } finally {
      await agent.endAsync();
      await hub.close();
    }
  });
});
