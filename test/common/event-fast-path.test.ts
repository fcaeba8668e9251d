import { expect } from 'chai';
import fc from 'fast-check';
import { parseEventFast } from '../../common/event-fast-path.js';
import { storeEventSchema, validateBatch } from '../../common/event.js';
import { makeEvent } from '../fixtures/events.js';

const TYPES = ['ENTRY', 'EXIT', 'REENTRY', 'ZONE_ENTER', 'ZONE_EXIT', 'ZONE_DWELL', 'BILLING_QUEUE_JOIN', 'BILLING_QUEUE_ABANDON'];
/** Values that sit on or just past every limit of the contract, and values of the wrong type. */
const oddValue = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -1, 1, 1.5, 0.999, 1.0000001, -0, NaN, Infinity, 2 ** 53, 2 ** 53 - 1, '', ' ', 'x'.repeat(64), 'x'.repeat(65),
    'A_b-9', 'a b', 'é', '2026-03-03T14:22:10Z', '2026-03-03T14:22:10.5Z', '2026-03-03T14:22:10.123Z', '2026-03-03T14:22:10.1234Z',
    '2026-03-03T14:22:10+05:30', '2026-02-30T10:00:00Z', '2026-03-03T24:00:00Z', '2024-02-29T00:00:00Z', '2026-13-01T00:00:00Z',
    '2026-03-03t14:22:10z', '2026-03-03 14:22:10Z', '550E8400-E29B-41D4-A716-446655440000', '550e8400e29b41d4a716446655440000',
    ...TYPES, 'entry', 'ZONE', [], {}, { session_seq: 1 }, { session_seq: 0 }, { queue_depth: 3, session_seq: 2 }, { session_seq: 1, extra: 'kept' },
    { session_seq: 1, sku_zone: 'x'.repeat(65) }, { session_seq: 1, queue_depth: -1 }, { session_seq: 1.5 }, Object.create(null),
    { session_seq: 1, queue_wait_ms: 0 }, { session_seq: 3, queue_wait_ms: 42_000 }, { session_seq: 1, queue_wait_ms: -1 }, { session_seq: 1, queue_wait_ms: 1.5 },
    { session_seq: 1, queue_wait_ms: '5' }, { session_seq: 1, queue_wait_ms: null }),
  fc.string(),
  fc.double(),
  fc.integer(),
);
const fields = Object.keys(makeEvent());

/** A valid event with up to three fields replaced, deleted or added. */
const mutatedEvent = fc
  .tuple(fc.constantFrom(...TYPES), fc.array(fc.tuple(fc.constantFrom(...fields, 'extra_top'), fc.option(oddValue)), { maxLength: 3 }))
  .map(([type, changes]) => {
    const e: Record<string, unknown> = { ...makeEvent({ event_type: type, zone_id: type.startsWith('Z') || type.startsWith('B') ? 'Z_BILLING' : null }) };
    for (const [k, v] of changes) {
      if (v === null) delete e[k];
      else e[k] = v;
    }
    return e;
  });

describe('event fast path', () => {
  it('gives exactly what zod gives whenever it accepts, and leaves the rest to zod', () => {
    let fast = 0;
    fc.assert(
      fc.property(mutatedEvent, (raw) => {
        const got = parseEventFast(raw);
        const want = storeEventSchema.safeParse(raw);
        if (got === null) return;
        fast++;
        expect(want.success, JSON.stringify(raw)).to.equal(true);
        expect(JSON.stringify(got)).to.equal(JSON.stringify(want.data));
      }),
      { numRuns: 5000 },
    );
    expect(fast, 'events taken by the fast path').to.be.greaterThan(500);
  });

  it('takes the common valid event, lower-casing its id as zod does', () => {
    const e = makeEvent({ event_id: '550E8400-E29B-41D4-A716-446655440000', metadata: { session_seq: 2 } });
    expect(parseEventFast(e)).to.deep.equal(storeEventSchema.parse(e));
    expect(parseEventFast(e)!.event_id).to.equal('550e8400-e29b-41d4-a716-446655440000');
  });

  it('takes a ZONE_EXIT with queue_wait_ms (the till wait) as zod does, and leaves a bad one to zod', () => {
    const e = makeEvent({ event_type: 'ZONE_EXIT', zone_id: 'Z_BILLING', metadata: { session_seq: 4, queue_wait_ms: 42_000 } });
    expect(parseEventFast(e)).to.deep.equal(storeEventSchema.parse(e));
    expect(parseEventFast(e)!.metadata.queue_wait_ms).to.equal(42_000);
    const bad = makeEvent({ event_type: 'ZONE_EXIT', zone_id: 'Z_BILLING', metadata: { session_seq: 4, queue_wait_ms: -5 } });
    expect(parseEventFast(bad)).to.equal(null);
    expect(validateBatch([bad]).errors.map((x) => x.field)).to.deep.equal(['metadata.queue_wait_ms']);
  });

  it('leaves offsets, extra metadata keys and rolled-over dates to zod, which still answers them', () => {
    for (const e of [
      makeEvent({ timestamp: '2026-03-03T20:00:00+05:30' }),
      makeEvent({ metadata: { session_seq: 1, group_id: 'G7' } }),
      makeEvent({ timestamp: '2026-02-30T10:00:00Z' }),
    ]) {
      expect(parseEventFast(e)).to.equal(null);
    }
    const { valid, errors } = validateBatch([makeEvent({ timestamp: '2026-03-03T20:00:00+05:30' }), makeEvent({ confidence: 2 })]);
    expect(valid[0]!.event.timestamp).to.equal('2026-03-03T14:30:00.000Z');
    expect(errors.map((x) => x.field)).to.deep.equal(['confidence']);
  });
});
