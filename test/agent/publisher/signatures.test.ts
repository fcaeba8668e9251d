import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signatureSchema } from '../../../common/signature.js';
import { silentLogger } from '../../../common/logger.js';
import { createPublisher } from '../../../agent/publisher/publisher.js';
import { makeSignature } from '../../fixtures/signatures.js';
import { startTestHub } from '../../helpers/hub.js';

describe('agent/publisher: signatures are spooled like events and reach the hub once (real sockets) @integration', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'pub-sig-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('kept in the spool while no broker answers, delivered after a restart, stored once', async () => {
    const store = 'STORE_SIG_01';
    const sigs = Array.from({ length: 30 }, (_, i) =>
      signatureSchema.parse(makeSignature({ store_id: store, camera_id: 'CAM_TILL', firstMs: 1_800_000_000_000 + i * 1000, lastMs: 1_800_000_000_000 + i * 1000 + 500 })),
    );
    const opts = { storeId: store, cameraId: 'CAM_TILL', spoolDir: dir, batchMs: 20, reconnectMs: 100, logger: silentLogger() };
    // No broker on this port: everything stays spooled when the publisher closes.
    const offline = createPublisher({ ...opts, mqttUrl: 'mqtt://127.0.0.1:9' });
    offline.publishSignatures(sigs.slice(0, 20));
    await offline.flush();
    await offline.close();

    const hub = await startTestHub();
    try {
      const p = createPublisher({ ...opts, mqttUrl: `mqtt://127.0.0.1:${hub.mqttPort}` });
      p.publishSignatures(sigs.slice(10)); // overlaps the spooled ten: a redelivery the hub must absorb
      await p.drain();
      await p.close();
      const rows = await hub.hub.db.knex('visitor_signatures').where({ store_id: store }).select('signature_id');
      expect(rows.map((r: { signature_id: string }) => r.signature_id).sort()).to.deep.equal(sigs.map((s) => s.signature_id).sort());
      expect(hub.hub.identity.stats().signatures_duplicate).to.equal(10);
    } finally {
      await hub.close();
    }
  });
});
