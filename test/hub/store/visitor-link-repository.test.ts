import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../hub/store/db.js';
import { createVisitorLinkRepository, type VisitorLink } from '../../../hub/store/visitor-link-repository.js';
import { DATABASES, useTestDb } from '../../helpers/hub.js';

const storeId = () => `STORE_LINK_${randomBytes(4).toString('hex')}`;
const link = (over: Partial<VisitorLink> & Pick<VisitorLink, 'store_id'>): VisitorLink => ({
  visitor_id: `VIS_till_${randomBytes(4).toString('hex')}`,
  entrance_visitor_id: `VIS_door_${randomBytes(4).toString('hex')}`,
  camera_id: 'CAM_TILL',
  score: 0.8,
  linked_at: 1_000,
  ...over,
});

for (const dbCase of DATABASES) {
  describe(`visitor link repository on ${dbCase.name}`, () => {
    const testDb = useTestDb(dbCase);
    let db: Db;
    beforeEach(() => {
      db = testDb();
    });

    it('reads a store\'s links in [from, to) as visitor id → entrance visitor id, other stores apart', async () => {
      const repo = createVisitorLinkRepository(db);
      const s = storeId();
      const other = storeId();
      const a = link({ store_id: s, visitor_id: 'VIS_a', entrance_visitor_id: 'VIS_A', linked_at: 1_000 });
      const b = link({ store_id: s, visitor_id: 'VIS_b', entrance_visitor_id: 'VIS_B', linked_at: 2_000 });
      const late = link({ store_id: s, visitor_id: 'VIS_c', entrance_visitor_id: 'VIS_C', linked_at: 3_000 });
      await repo.saveLinks([a, b, late, link({ store_id: other, visitor_id: 'VIS_a', entrance_visitor_id: 'VIS_X' })]);
      expect([...(await repo.readLinks(s, 1_000, 3_000))]).to.deep.equal([['VIS_a', 'VIS_A'], ['VIS_b', 'VIS_B']]);
      expect([...(await repo.readLinks(other, 0, 10_000))]).to.deep.equal([['VIS_a', 'VIS_X']]);
      expect((await repo.readLinks(s, 3_001, 10_000)).size).to.equal(0);
    });

    it('is idempotent, lets a revised link replace the earlier one, and keeps the last row of a key within a call', async () => {
      const repo = createVisitorLinkRepository(db);
      const s = storeId();
      const first = link({ store_id: s, visitor_id: 'VIS_t', entrance_visitor_id: 'VIS_E1', linked_at: 5_000 });
      await repo.saveLinks([first]);
      await repo.saveLinks([first]);
      const rows = await db.knex('visitor_links').where({ store_id: s });
      expect(rows).to.have.length(1);
      expect(Number(rows[0].score)).to.equal(0.8);
      await repo.saveLinks([{ ...first, entrance_visitor_id: 'VIS_E2', score: 0.9 }]);
      expect(await repo.readLinks(s, 0, 10_000)).to.deep.equal(new Map([['VIS_t', 'VIS_E2']]));
      await repo.saveLinks([{ ...first, entrance_visitor_id: 'VIS_E3' }, { ...first, entrance_visitor_id: 'VIS_E4' }]);
      expect(await repo.readLinks(s, 0, 10_000)).to.deep.equal(new Map([['VIS_t', 'VIS_E4']]));
    });

    it('saves more links than one INSERT chunk in one call', async () => {
      const repo = createVisitorLinkRepository(db);
      const s = storeId();
      const many = Array.from({ length: 1_203 }, (_, i) => link({ store_id: s, visitor_id: `VIS_${i}`, entrance_visitor_id: `VIS_E${i}`, linked_at: i }));
      await repo.saveLinks(many);
      const read = await repo.readLinks(s, 0, 2_000);
      expect(read.size).to.equal(1_203);
      expect(read.get('VIS_1202')).to.equal('VIS_E1202');
      await repo.saveLinks([]);
    });
  });
}
