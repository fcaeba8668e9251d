import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chunkCsv } from '../../../hub/cli/pos-import.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const run = promisify(execFile);

describe('npm run pos:import @integration', function () {
  this.timeout(60_000);
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => hub?.close());

  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'hub/cli/pos-import.ts', ...args]).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );

  it('imports the shipped CSV through the hub, and a second import changes nothing', async () => {
    const first = await cli(['data/pos_transactions.csv', '--hub', hub.url]);
    expect(first.code, first.err).to.equal(0);
    const s1 = JSON.parse(first.out);
    expect(s1.inserted).to.be.greaterThan(50);
    expect(await hub.hub.analytics.pos.count()).to.equal(s1.inserted);
    const s2 = JSON.parse((await cli(['data/pos_transactions.csv', '--hub', hub.url])).out);
    expect([s2.inserted, s2.duplicates]).to.deep.equal([0, s1.inserted]);
  });

  it('reports bad rows with their line in the file and exits 1; a missing file exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'transaction_id,store_id,timestamp,basket_value_inr\nTX_OK_9,STORE_BLR_002,2026-03-04T10:00:00+05:30,10\n\nTX_BAD_9,STORE_BLR_002,noon,10\n');
    const r = await cli([file, '--hub', hub.url]);
    expect(r.code).to.equal(1);
    expect(JSON.parse(r.out).errors.map((e: { line: number; field: string }) => [e.line, e.field])).to.deep.equal([[4, 'timestamp']]);
    const missing = await cli([join(dir, 'nope.csv'), '--hub', hub.url]);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.match(/nope\.csv: cannot read/);
  });

  it('chunks per store and shifts timestamps for the demo', () => {
    const chunks = chunkCsv('transaction_id,store_id,timestamp,basket_value_inr\nA,S1,2026-03-03T10:00:00+05:30,1\nB,S2,2026-03-03T10:00:00Z,2\n', 60_000);
    expect(chunks.map((c) => [c.storeId, c.lines, c.rows])).to.deep.equal([
      ['S1', [2], ['A,S1,2026-03-03T04:31:00.000Z,1']],
      ['S2', [3], ['B,S2,2026-03-03T10:01:00.000Z,2']],
    ]);
  });
});
