import { expect } from 'chai';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { validateEvent } from '../../../common/event.js';
import { makeEvent } from '../../fixtures/events.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

/** Values that one database or the other has refused in the past, plus plain junk. */
const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom('\u0000', 'V\u0000', 2 ** 31, 2 ** 31 - 1, 2 ** 53, -1, 1e308, '😀'.repeat(40), 'x'.repeat(70), null, [], {}),
);
const KEYS = ['visitor_id', 'zone_id', 'dwell_ms', 'confidence', 'timestamp', 'metadata.queue_depth', 'metadata.session_seq', 'metadata.sku_zone'];

const mutated = (store: string, cam: string) =>
  fc.array(fc.tuple(fc.constantFrom(...KEYS), hostile), { maxLength: 2 }).map((muts) => {
    const e = makeEvent({ store_id: store, camera_id: cam }) as Record<string, unknown> & { metadata: Record<string, unknown> };
    for (const [key, v] of muts) {
      const [head, sub] = key.split('.');
      if (sub) e.metadata[sub] = v;
      else e[head!] = v;
    }
    return e;
  });

/** Payloads for the status and heatmap topics: JSON junk, near-valid shapes, big arrays, binary. */
const sidePayload = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('{"state":"online","ts":"\u0000"}', '{"minute_ts":0,"cols":64,"rows":64,"counts":[' + '"x",'.repeat(20_000) + '1]}', '{"background":{"mime":"image/png","image_base64":"%%%"}}'),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
);

for (const db of DATABASES) {
  describe(`MQTT ingest under fuzzing (real broker, ${db.name}) @integration`, function () {
    this.timeout(180_000);
    const schema = db.schema();
    const store = `MQF_${randomBytes(3).toString('hex')}`;
    const cam = 'CAM_1';
    let hub: TestHub;
    let client: MqttClient;
    before(async () => {
      hub = await startTestHub({ DATABASE_URL: db.url(), DATABASE_SCHEMA: schema });
      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { protocolVersion: 4, reconnectPeriod: 0, clientId: `fz-${store}` });
    });
    after(async () => {
      await client?.endAsync();
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('stores exactly the events the contract accepts, batch after batch; side topics never break it', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutated(store, cam), { minLength: 1, maxLength: 20 }), sidePayload, async (events, side) => {
          const before = await hub.hub.repos.events.count();
          await client.publishAsync(`store/${store}/camera/${cam}/${Math.random() < 0.5 ? 'status' : 'heatmap'}`, side, { qos: 1 });
          await client.publishAsync(`store/${store}/camera/${cam}/events`, JSON.stringify(events), { qos: 1 }); // PUBACK after commit
          const wire = JSON.parse(JSON.stringify(events)) as unknown[];
          const good = wire.filter((e, i) => {
            const v = validateEvent(e, i);
            return 'event' in v && Date.parse(v.event.timestamp) <= Date.now() + 1440 * 60_000;
          }).length;
          expect(await hub.hub.repos.events.count()).to.equal(before + good);
        }),
        { numRuns: 60 },
      );
      expect((await fetch(`${hub.url}/health`)).status).to.be.oneOf([200, 503]);
    });
  });
}
