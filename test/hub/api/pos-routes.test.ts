import { expect } from 'chai';
import { startTestHub } from '../../helpers/hub.js';

describe('POST /stores/:id/pos limits', function () {
  this.timeout(60_000);

  it('answers a huge array of tiny rows 413 counting rows, and stays responsive', async () => {
    const hub = await startTestHub({ POS_MAX_ROWS: '5000' });
    try {
      const post = (body: string) => fetch(`${hub.url}/stores/STORE_BLR_002/pos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const res = await post(`[${Array(1_000_000).fill('{}').join(',')}]`); // 3 MB, a million rows
      expect(res.status).to.equal(413);
      expect((await res.json()).error.message).to.equal('at most 5000 POS rows per request (got 1000000)');
      // 5,001 rows with two errors each: the count is of rows.
      const bad = await (await post(JSON.stringify(Array.from({ length: 5001 }, () => ({ transaction_id: 'T', store_id: 'STORE_BLR_002' }))))).json();
      expect(bad.error.message).to.match(/\(got 5001\)/);
      expect((await fetch(`${hub.url}/health`)).status).to.equal(200);
    } finally {
      await hub.close();
    }
  });
});
