import { expect } from 'chai';
import mqtt from 'mqtt';
import { cameraTopic } from '../../../common/topics.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';
import { makeSignature, twoCameraStore, vector } from '../../fixtures/signatures.js';

const T0 = Date.parse('2026-03-03T10:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const dbCase of DATABASES) {
  describe(`store-level identity through MQTT into ${dbCase.name} @integration`, function () {
    this.timeout(60_000);
    let hub: TestHub;
    let schema: string | undefined;
    const storeId = `STORE_ID_${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      schema = dbCase.schema();
      // The idle flush decides a store's tracks one second after its last signature.
      hub = await startTestHub({ DATABASE_URL: dbCase.url(), DATABASE_SCHEMA: schema, IDENTITY_IDLE_FLUSH_S: '1' });
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('links the till track that clearly matches an entrance visitor, abstains on the ambiguous one and on staff, rejects bad signatures one by one', async () => {
      const { door, till } = twoCameraStore(storeId, T0);
      const bad = [
        { ...makeSignature({ store_id: storeId, camera_id: 'CAM_TILL', firstMs: T0, lastMs: T0 + 1000 }), embedding: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5] },
        makeSignature({ store_id: 'OTHER_STORE', camera_id: 'CAM_TILL', firstMs: T0, lastMs: T0 + 1000 }),
        { signature_id: 'not-a-uuid' },
      ];
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { protocolVersion: 4, clientId: `test-${storeId}` });
      try {
        await client.publishAsync(cameraTopic(storeId, 'CAM_DOOR', 'signatures'), JSON.stringify(door), { qos: 1 });
        await client.publishAsync(cameraTopic(storeId, 'CAM_TILL', 'signatures'), JSON.stringify([...till, ...bad]), { qos: 1 });
        await client.publishAsync(cameraTopic(storeId, 'CAM_TILL', 'signatures'), JSON.stringify(till), { qos: 1 }); // redelivery
        await client.publishAsync(cameraTopic(storeId, 'CAM_TILL', 'signatures'), '{not json', { qos: 1 });
      } finally {
        await client.endAsync();
      }
      const { knex } = hub.hub.db;
      let undecided = Infinity;
      for (let i = 0; i < 200 && undecided > 0; i++) {
        await sleep(100);
        undecided = Number((await knex('visitor_signatures').where({ store_id: storeId, is_staff: false }).whereNull('entered_ms').where((b) => b.whereNull('outcome').orWhere('outcome', 'ambiguous')).count({ n: '*' }))[0]!.n);
      }
      await hub.hub.identity.idle();
      const links = await knex("visitor_links").where({ store_id: storeId }).select("visitor_id", "entrance_visitor_id", "camera_id");
      expect(links).to.deep.equal([{ visitor_id: 'VIS_T_CLEAR', entrance_visitor_id: 'VIS_A', camera_id: 'CAM_TILL' }]);
      const stats = hub.hub.identity.stats();
      expect(stats.signatures_stored).to.equal(8);
      expect(stats.signatures_duplicate).to.equal(3);
      expect(stats.signatures_rejected).to.equal(3);
      const outcomes = await knex('visitor_signatures').where({ store_id: storeId }).whereNotNull('outcome').orderBy('visitor_id').select('visitor_id', 'outcome', 'linked_to');
      expect(outcomes).to.deep.equal([
        { visitor_id: 'VIS_T_AMBIG', outcome: 'abstained', linked_to: null },
        { visitor_id: 'VIS_T_CLEAR', outcome: 'linked', linked_to: 'VIS_A' },
        { visitor_id: 'VIS_X_LEAVING', outcome: 'linked', linked_to: 'VIS_A' },
      ]);
      // Kept until the end of the store's day they arrived in (UTC for a store without a layout), never longer.
      const expiry = await knex('visitor_signatures').where({ store_id: storeId }).distinct('expires_at');
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      expect(expiry.map((r: { expires_at: number }) => Number(r.expires_at))).to.deep.equal([midnight.getTime()]);
    });

    it('never serves signatures: no route mentions them, and the API answers nothing with an embedding', async () => {
      expect(hub.hub.routes.filter((r) => /signature/i.test(r.path))).to.deep.equal([]);
      for (const path of [`/stores/${storeId}/metrics`, `/stores/${storeId}/funnel`, '/health']) {
        const body = await (await fetch(hub.url + path)).text();
        expect(body).to.not.match(/embedding|signature/i);
      }
    });

    it('a burst of requests for a store queues one round, not one per message', async () => {
      const before = hub.hub.identity.stats().rounds;
      await Promise.all(Array.from({ length: 10 }, () => hub.hub.identity.resolveStore(storeId)));
      expect(hub.hub.identity.stats().rounds - before).to.equal(1);
    });

    it('deletes signatures when they expire', async () => {
      const { knex } = hub.hub.db;
      const gone = makeSignature({ store_id: storeId, camera_id: 'CAM_TILL', firstMs: T0, lastMs: T0 + 1000, embedding: vector({ 9: 1 }) });
      await hub.hub.identity.ingest([gone], { storeId, cameraId: 'CAM_TILL' });
      await knex('visitor_signatures').update({ expires_at: Date.now() - 1 }).where({ signature_id: gone.signature_id });
      await hub.hub.identity.sweep();
      expect(await knex('visitor_signatures').where({ signature_id: gone.signature_id })).to.have.length(0);
    });
  });
}
