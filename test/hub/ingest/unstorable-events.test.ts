import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { validateEvent } from '../../../common/event.js';
import { makeEvent } from '../../fixtures/events.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

const INT4_MAX = 2 ** 31 - 1;

/** Events that one of the two databases cannot store (text with NUL, int4 overflow), each with the field named. */
function unstorable(storeId: string): [Record<string, unknown>, string][] {
  const e = (o: Record<string, unknown>) => makeEvent({ store_id: storeId, ...o });
  return [
    [e({ visitor_id: 'VIS_\u0000x' }), 'visitor_id'],
    [e({ event_type: 'ZONE_ENTER', zone_id: 'Z_\u0000' }), 'zone_id'],
    [e({ metadata: { queue_depth: null, sku_zone: 'SKU\u0000', session_seq: 1 } }), 'metadata.sku_zone'],
    [e({ metadata: { queue_depth: INT4_MAX + 1, sku_zone: null, session_seq: 1 } }), 'metadata.queue_depth'],
    [e({ metadata: { queue_depth: null, sku_zone: null, session_seq: INT4_MAX + 1 } }), 'metadata.session_seq'],
    [e({ metadata: { queue_depth: null, sku_zone: null, session_seq: 2 ** 40 } }), 'metadata.session_seq'],
  ];
}

describe('common/event: the contract refuses what either database cannot store', () => {
  it('rejects NUL in text and integers beyond int4, naming the field, on the fast path and in zod alike', () => {
    for (const [event, field] of unstorable('S1')) {
      const r = validateEvent(event, 0);
      expect('errors' in r, field).to.equal(true);
      if ('errors' in r) expect(r.errors.map((x) => x.field), field).to.include(field);
    }
    // The largest int4 still passes.
    const ok = validateEvent(makeEvent({ metadata: { queue_depth: INT4_MAX, sku_zone: null, session_seq: INT4_MAX } }), 0);
    expect('event' in ok).to.equal(true);
  });
});

for (const db of DATABASES) {
  describe(`unstorable events cost only themselves (${db.name}) @integration`, function () {
    this.timeout(60_000);
    const schema = db.schema();
    let hub: TestHub;
    const store = `NUL_${randomBytes(4).toString('hex')}`;
    before(async () => {
      hub = await startTestHub({ DATABASE_URL: db.url(), DATABASE_SCHEMA: schema });
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('HTTP: answers 200, stores the good events and names each bad one', async () => {
      const bad = unstorable(store);
      const events = [makeEvent({ store_id: store }), ...bad.map(([e]) => e), makeEvent({ store_id: store })];
      const res = await hub.post('/events/ingest', { events });
      expect(res.status).to.equal(200);
      const body = await res.json();
      expect(body.inserted).to.equal(2);
      expect(new Set(body.errors.map((x: { index: number }) => x.index))).to.deep.equal(new Set(bad.map((_, i) => i + 1)));
    });

    it('MQTT: [good, good, NUL] stores the two good events', async () => {
      const before = await hub.hub.repos.events.count();
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { protocolVersion: 4, reconnectPeriod: 0, clientId: `t-${randomBytes(4).toString('hex')}` });
      const cam = 'CAM_ENTRY_01';
      const batch = [makeEvent({ store_id: store, camera_id: cam }), makeEvent({ store_id: store, camera_id: cam }), makeEvent({ store_id: store, camera_id: cam, visitor_id: 'V\u0000' })];
      await client.publishAsync(`store/${store}/camera/${cam}/events`, JSON.stringify(batch), { qos: 1 });
      await client.endAsync();
      expect(await hub.hub.repos.events.count()).to.equal(before + 2);
    });
  });
}
