import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { storeEventSchema } from '../../../common/event.js';
import { silentLogger } from '../../../common/logger.js';
import { createPublisher } from '../../../agent/publisher/publisher.js';
import { loadMqttTransportConfig } from '../../../hub/transport/config.js';
import { startMqttTransport } from '../../../hub/transport/mqtt.js';
import type { IngestLike } from '../../../hub/transport/message-handler.js';
import { runTs } from '../../../scripts/lib/child.js';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub } from '../../helpers/hub.js';

describe('hub/transport/broker: the embedded aedes broker @integration', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'broker-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('acknowledges a batch only after it is stored: a failed commit is retried by the agent', async () => {
    let failures = 0;
    const stored: string[] = [];
    const ingest: IngestLike = {
      async ingest(raws) {
        if (failures < 3) {
          failures++;
          throw new AppError('DB_UNAVAILABLE', 'database unavailable');
        }
        stored.push(...raws.map((r) => (r as { event_id: string }).event_id));
        return { inserted: raws.length, duplicates: 0, errors: [] };
      },
    };
    const t = await startMqttTransport({ config: loadMqttTransportConfig({ HUB_MQTT_PORT: '0', HUB_MQTT_HOST: '127.0.0.1' }), ingest, logger: silentLogger() });
    const p = createPublisher({ mqttUrl: `mqtt://127.0.0.1:${t.mqttPort}`, storeId: 'S', cameraId: 'C', spoolDir: dir, batchMs: 10, reconnectMs: 100, logger: silentLogger() });
    const events = Array.from({ length: 20 }, () => storeEventSchema.parse(makeEvent({ store_id: 'S', camera_id: 'C' })));
    p.publish(events);
    await p.drain();
    expect(failures).to.equal(3);
    expect(stored).to.deep.equal(events.map((e) => e.event_id));
    expect(t.stats()).to.deep.include({ retries: 3, mode: 'embedded' });
    await p.close();
    await t.close();
  });

  it('npm run agent:replay publishes a JSON-lines file: every event stored once, even replayed twice', async () => {
    const hub = await startTestHub();
    try {
      const file = join(dir, 'events.jsonl');
      const events = Array.from({ length: 1200 }, (_, i) => makeEvent({ camera_id: i % 2 ? 'CAM_A' : 'CAM_B' }));
      writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      for (let run = 0; run < 2; run++) {
        const r = runTs('agent/replay.ts', ['--events', file, '--mqtt', `mqtt://127.0.0.1:${hub.mqttPort}`, '--batch-ms', '50']);
        const done = await r.waitFor((l) => l.event === 'replay_done');
        expect(done.events).to.equal(1200);
        expect((await r.exited).code).to.equal(0);
      }
      const n = await hub.hub.repos.events.count();
      expect(n).to.equal(1200);
      expect(hub.mqtt.stats()).to.deep.include({ events_inserted: 1200, events_duplicate: 1200 });
    } finally {
      await hub.close();
    }
  });

  it('agent:replay refuses a bad file before sending anything, naming the line and the field', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify(makeEvent())}\n${JSON.stringify(makeEvent({ confidence: 2 }))}\n{nope\n`);
    const r = runTs('agent/replay.ts', ['--events', file, '--mqtt', 'mqtt://127.0.0.1:9']);
    expect((await r.exited).code).to.equal(1);
    const err = r.stderr.join('\n');
    expect(err).to.match(/bad\.jsonl:2: confidence:/).and.match(/bad\.jsonl:3: not JSON/).and.match(/nothing sent/);
    const missing = runTs('agent/replay.ts', ['--events', file]);
    expect((await missing.exited).code).to.equal(1);
    expect(missing.stderr.join('\n')).to.match(/--mqtt is required/);
  });
});
