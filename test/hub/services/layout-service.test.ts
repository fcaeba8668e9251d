import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLayoutService } from '../../../hub/services/layout-service.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import { createLayoutRepository } from '../../../hub/store/layout-repository.js';
import { captureLogger } from '../../helpers/hub.js';

const store = (name: string) => ({ stores: [{ store_id: 'S1', name, timezone: 'Asia/Kolkata', zones: [{ zone_id: 'Z1', name: 'Till', type: 'billing' }] }] });

describe('layout service', () => {
  let db: Db;
  let dir: string;
  beforeEach(async () => {
    db = await openDb('sqlite::memory:');
    dir = mkdtempSync(join(tmpdir(), 'layout-'));
  });
  afterEach(() => db.close());

  it('seeds from the file, then keeps a PUT layout over an edited file and says so in the log', async () => {
    const file = join(dir, 'layout.json');
    writeFileSync(file, JSON.stringify(store('From file')));
    const first = createLayoutService({ repo: createLayoutRepository(db), logger: captureLogger().logger });
    await first.init(file);
    expect(first.require('S1').name).to.equal('From file');
    await first.put('S1', { ...store('From PUT').stores[0] });

    writeFileSync(file, JSON.stringify(store('Edited file')));
    const { logger, lines } = captureLogger();
    const restarted = createLayoutService({ repo: createLayoutRepository(db), logger });
    await restarted.init(file);
    expect(restarted.require('S1').name).to.equal('From PUT');
    expect(lines.map((l) => l.event)).to.include('layout_file_differs');
  });

  it('names the file and field of a bad layout file, and refuses bodies that are not one layout', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ stores: [{ store_id: 'S1', name: 'x', timezone: 'Mars/Olympus' }] }));
    const svc = createLayoutService({ repo: createLayoutRepository(db), logger: captureLogger().logger });
    try {
      await svc.init(file);
      expect.fail('should throw');
    } catch (err) {
      expect((err as Error).message).to.include(file).and.include('stores.0.timezone');
    }
    for (const body of [null, [], 'x']) {
      try {
        await svc.put('S1', body);
        expect.fail('should throw');
      } catch (err) {
        expect((err as { code: string }).code).to.equal('BAD_REQUEST');
      }
    }
    expect(() => svc.require('S_NONE')).to.throw(/unknown store S_NONE/);
  });

  it('refuses an oversized polygon with 400 naming the field, before validating its points, with a bounded message', async () => {
    const svc = createLayoutService({ repo: createLayoutRepository(db), logger: captureLogger().logger });
    const huge = Array.from({ length: 150_000 }, () => ['x', 'y']);
    const body = { ...store('Big').stores[0], cameras: [{ camera_id: 'C1', zones: [{ zone_id: 'Z1', polygon: huge }] }] };
    const err = await svc.put('S1', body).then(() => null, (e: { code: string; message: string; details: { field: string } }) => e);
    expect(err?.code).to.equal('BAD_REQUEST');
    expect(err?.details.field).to.equal('cameras.0.zones.0.polygon');
    expect(err!.message.length).to.be.below(600);
    // Many small errors: the message lists a few and counts the rest.
    const many = { ...store('Many').stores[0], cameras: [{ camera_id: 'C1', zones: [{ zone_id: 'Z1', polygon: Array.from({ length: 200 }, () => ['x', 'y']) }] }] };
    const err2 = await svc.put('S1', many).then(() => null, (e: Error) => e);
    expect(err2!.message).to.match(/and \d+ more/);
    expect(err2!.message.length).to.be.below(2100);
  });
});
