import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { AppError } from '../../../common/errors.js';
import { silentLogger } from '../../../common/logger.js';
import { loadMqttTransportConfig } from '../../../hub/transport/config.js';
import { startMqttTransport } from '../../../hub/transport/mqtt.js';
import type { IngestLike } from '../../../hub/transport/message-handler.js';
import { makeEvent } from '../../fixtures/events.js';

const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('hub/transport/external: consumer of the real Mosquitto @integration', function () {
  this.timeout(60_000);
  const tag = randomBytes(4).toString('hex');
  const clientId = `hub-ext-${tag}`;
  const topic = `store/S_${tag}/camera/C_1/events`;
  const env = { MQTT_URL: BROKER, MQTT_CLIENT_ID: clientId, MQTT_SHARED_GROUP: `g_${tag}` };

  before(async function () {
    const ok = await mqtt.connectAsync(BROKER, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 }).then((c) => (c.end(true), true), () => false);
    if (!ok) {
      console.log(`skipping: no MQTT broker at ${BROKER} (set TEST_MQTT_URL)`);
      this.skip();
    }
  });
  after(async () => {
    await mqtt.connectAsync(BROKER, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 }).then((c) => c.endAsync(), () => undefined);
  });

  function recordingIngest(failFirst = 0) {
    const seen: string[] = [];
    let failures = 0;
    const ingest: IngestLike = {
      async ingest(raws) {
        if (failures < failFirst) {
          failures++;
          throw new AppError('DB_UNAVAILABLE', 'database unavailable');
        }
        for (const r of raws) seen.push((r as { event_id: string }).event_id);
        return { inserted: raws.length, duplicates: 0, errors: [] };
      },
    };
    return { ingest, seen, failures: () => failures };
  }

  it('withholds the PUBACK while the database is down and gets the message again', async () => {
    const rec = recordingIngest(2);
    const t = await startMqttTransport({ config: loadMqttTransportConfig(env), ingest: rec.ingest, logger: silentLogger() });
    const pub = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
    const e = makeEvent({ store_id: `S_${tag}`, camera_id: 'C_1' });
    await pub.publishAsync(topic, JSON.stringify([e]), { qos: 1 });
    await until(() => rec.seen.length > 0, 'redelivery after two failed commits');
    expect(rec.failures()).to.equal(2);
    expect(rec.seen).to.deep.equal([e.event_id]);
    expect(t.stats()).to.deep.include({ retries: 2, events_inserted: 1, mode: 'external' });
    await pub.endAsync();
    await t.close();
  });

  it('keeps a persistent session: messages published while the hub is down arrive when it returns', async () => {
    const first = recordingIngest();
    let t = await startMqttTransport({ config: loadMqttTransportConfig(env), ingest: first.ingest, logger: silentLogger() });
    await t.close();
    const pub = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
    const events = Array.from({ length: 5 }, () => makeEvent({ store_id: `S_${tag}`, camera_id: 'C_1' }));
    for (const e of events) await pub.publishAsync(topic, JSON.stringify([e]), { qos: 1 });
    await pub.endAsync();
    const second = recordingIngest();
    t = await startMqttTransport({ config: loadMqttTransportConfig(env), ingest: second.ingest, logger: silentLogger() });
    await until(() => second.seen.length >= 5, 'queued messages');
    expect(second.seen).to.deep.equal(events.map((e) => e.event_id));
    await t.close();
  });
});
