import { expect } from 'chai';
import { AppError } from '../../../common/errors.js';
import { buildEvent, shortId, sortDrafts, type DraftEvent } from '../../../agent/behaviour/events.js';
import { counterIds } from './scene.js';

const base: DraftEvent = { type: 'ZONE_ENTER', atMs: Date.parse('2026-03-03T10:00:00Z'), zoneId: 'Z', dwellMs: 0, confidence: 0.9, queueDepth: null, skuZone: null };
const ctx = { storeId: 'STORE_TEST_01', cameraId: 'CAM_DOOR', newId: counterIds() };

describe('agent/behaviour/events', () => {
  it('builds a contract event', () => {
    const e = buildEvent(ctx, base, 'VIS_00000001', 1, false);
    expect(e).to.include({ event_type: 'ZONE_ENTER', zone_id: 'Z', timestamp: '2026-03-03T10:00:00.000Z', visitor_id: 'VIS_00000001' });
    expect(e.metadata).to.deep.equal({ queue_depth: null, sku_zone: null, session_seq: 1 });
  });

  it('throws instead of letting an invalid event out (a bug, not data)', () => {
    expect(() => buildEvent(ctx, { ...base, zoneId: null }, 'VIS_1', 1, false)).to.throw(AppError, /invalid ZONE_ENTER event \(zone_id: required/);
    expect(() => buildEvent(ctx, base, 'VIS_1', 0, false)).to.throw(AppError, /metadata.session_seq/);
  });

  it('orders same-instant drafts arriving first, leaving last', () => {
    const at = (type: DraftEvent['type'], atMs: number) => ({ ...base, type, atMs });
    expect(sortDrafts([at('EXIT', 5), at('ZONE_EXIT', 5), at('ZONE_ENTER', 1), at('ENTRY', 1)]).map((d) => d.type)).to.deep.equal(['ENTRY', 'ZONE_ENTER', 'ZONE_EXIT', 'EXIT']);
  });

  it('makes prefixed short ids from the UUID factory', () => {
    expect(shortId('VIS', () => 'ABCDEF12-3456-4000-8000-000000000000')).to.equal('VIS_abcdef12');
  });
});
