import { expect } from 'chai';
import { validateBatch, validateEvent, storeEventSchema } from '../../common/event.js';
import { makeEvent, SEED_EVENT } from '../fixtures/events.js';

describe('common/event contract', () => {
  it('accepts the seed example unchanged', () => {
    const r = storeEventSchema.safeParse(JSON.parse(JSON.stringify(SEED_EVENT)));
    expect(r.success, JSON.stringify(!r.success && r.error.issues)).to.equal(true);
    if (r.success) expect(r.data.timestamp).to.equal('2026-03-03T14:22:10.000Z');
  });

  it('normalises an offset timestamp to UTC', () => {
    const r = validateEvent(makeEvent({ timestamp: '2026-03-03T19:52:10+05:30' }), 0);
    expect('event' in r && r.event.timestamp).to.equal('2026-03-03T14:22:10.000Z');
  });

  it('rejects a timestamp without a zone, naming the field', () => {
    const r = validateEvent(makeEvent({ timestamp: '2026-03-03T14:22:10' }), 3);
    expect('errors' in r && r.errors[0]).to.include({ index: 3, field: 'timestamp' });
  });

  it('requires zone_id for zone and billing types', () => {
    for (const t of ['ZONE_ENTER', 'ZONE_EXIT', 'ZONE_DWELL', 'BILLING_QUEUE_JOIN', 'BILLING_QUEUE_ABANDON'] as const) {
      const r = validateEvent(makeEvent({ event_type: t, zone_id: null }), 0);
      expect('errors' in r && r.errors.map((e) => e.field)).to.deep.equal(['zone_id']);
    }
  });

  it('rejects bad ids, ranges and types with the field path', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ event_id: 'not-a-uuid' }, 'event_id'],
      [{ store_id: 'bad store' }, 'store_id'],
      [{ camera_id: 'x'.repeat(65) }, 'camera_id'],
      [{ visitor_id: '' }, 'visitor_id'],
      [{ event_type: 'PURCHASE' }, 'event_type'],
      [{ dwell_ms: -1 }, 'dwell_ms'],
      [{ dwell_ms: 1.5 }, 'dwell_ms'],
      [{ confidence: 1.01 }, 'confidence'],
      [{ is_staff: 'no' }, 'is_staff'],
      [{ metadata: { session_seq: 0 } }, 'metadata.session_seq'],
      [{ metadata: { session_seq: 1, queue_depth: -2 } }, 'metadata.queue_depth'],
    ];
    for (const [override, field] of cases) {
      const r = validateEvent(makeEvent(override), 0);
      expect('errors' in r, field).to.equal(true);
      if ('errors' in r) expect(r.errors.map((e) => e.field)).to.include(field);
    }
  });

  it('keeps unknown metadata keys and lower-cases the event_id', () => {
    const r = validateEvent(
      makeEvent({ event_id: '550E8400-E29B-41D4-A716-446655440000', metadata: { session_seq: 2, group_id: 'G1' } }),
      0,
    );
    expect('event' in r).to.equal(true);
    if ('event' in r) {
      expect(r.event.event_id).to.equal('550e8400-e29b-41d4-a716-446655440000');
      expect(r.event.metadata).to.deep.include({ group_id: 'G1', queue_depth: null, session_seq: 2 });
    }
  });

  it('validates a batch event by event', () => {
    const r = validateBatch([makeEvent(), { nope: true }, makeEvent(), 'string', null]);
    expect(r.valid.map((v) => v.index)).to.deep.equal([0, 2]);
    expect([...new Set(r.errors.map((e) => e.index))]).to.deep.equal([1, 3, 4]);
  });
});
