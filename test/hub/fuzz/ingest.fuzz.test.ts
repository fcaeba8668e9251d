import { expect } from 'chai';
import fc from 'fast-check';
import { validateEvent } from '../../../common/event.js';
import { makeEvent } from '../../fixtures/events.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

/** Keys of an event and a generator of hostile values for them. */
const KEYS = ['event_id', 'store_id', 'camera_id', 'visitor_id', 'event_type', 'timestamp', 'zone_id', 'dwell_ms', 'is_staff', 'confidence', 'metadata'];
const hostile = fc.oneof(
  fc.anything(),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ minLength: 60, maxLength: 70 }),
  fc.constantFrom('x'.repeat(100_000), '\u0000', '😀'.repeat(40), 'ENTRY', 'ZONE_ENTER', '2026-03-03T14:22:10Z', '2999-01-01T00:00:00Z', 'NaN', '-0'),
  fc.double(),
  fc.integer({ min: -10, max: 10 }),
  fc.constantFrom(null, true, false, [], {}, -1, 1.5, 2 ** 60, 2 ** 31, 2 ** 31 - 1, 'VIS_\u0000', 'a\u0000b'),
);
const nested = (depth: number) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown;

/** A valid event with one to three fields mutated, deleted or replaced by hostile values. */
const mutatedEvent = fc
  .record({
    mutations: fc.array(fc.tuple(fc.constantFrom(...KEYS, 'metadata.session_seq', 'metadata.queue_depth', 'extra'), fc.option(hostile)), { minLength: 0, maxLength: 3 }),
    deep: fc.option(fc.integer({ min: 1, max: 400 }), { freq: 8 }),
  })
  .map(({ mutations, deep }) => {
    const e = makeEvent() as Record<string, unknown> & { metadata: Record<string, unknown> };
    for (const [key, value] of mutations) {
      const [head, sub] = key.split('.');
      const target = (sub ? e.metadata : e) as Record<string, unknown> | null;
      if (!target || typeof target !== 'object') continue;
      const k = sub ?? head!;
      if (value === null) delete target[k];
      else target[k] = value;
    }
    if (deep) e.metadata = { ...(typeof e.metadata === 'object' && e.metadata ? e.metadata : {}), session_seq: 1, deep: nested(deep) };
    return e;
  });

// Both databases: PostgreSQL refuses what SQLite takes (NUL in text, int4 overflow), and the answer must not differ.
for (const db of DATABASES) {
  describe(`ingest under fuzzing (fast-check, real hub on ${db.name})`, function () {
    this.timeout(180_000);
    let hub: TestHub;
    const schema = db.schema();
    before(async () => {
      hub = await startTestHub({ DATABASE_URL: db.url(), DATABASE_SCHEMA: schema, RATE_LIMIT_IP_BURST: '100000', RATE_LIMIT_IP_PER_MIN: '100000' });
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('never answers 5xx; reports every bad event by index; stores every good one', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(mutatedEvent, hostile), { minLength: 1, maxLength: 40 }), async (events) => {
          const before = await hub.hub.repos.events.count();
          const res = await hub.post('/events/ingest', { events });
          expect(res.status).to.equal(200);
          const body = await res.json();
          const bad = new Set<number>(body.errors.map((e: { index: number }) => e.index));
          for (const err of body.errors) {
            expect(err.index).to.be.within(0, events.length - 1);
            expect(err.field).to.be.a('string').and.not.be.empty;
            expect(err.reason).to.be.a('string').and.not.be.empty;
          }
          // Each event is either reported bad, or stored / counted duplicate: nothing disappears.
          expect(body.inserted + body.duplicates + bad.size).to.equal(events.length);
          expect(await hub.hub.repos.events.count()).to.equal(before + body.inserted);
          // Good events are exactly those the shared contract accepts (JSON round trip = what the hub saw).
          const wire = JSON.parse(JSON.stringify(events)) as unknown[];
          wire.forEach((e, i) => {
            const v = validateEvent(e, i);
            const expectedBad = !('event' in v) || Date.parse(v.event.timestamp) > Date.now() + 1440 * 60_000;
            expect(bad.has(i), `index ${i}: ${JSON.stringify(body.errors.filter((x: { index: number }) => x.index === i))}`).to.equal(expectedBad);
          });
        }),
        { numRuns: 150 },
      );
    });

    it('answers any body with a 2xx or 4xx, never 5xx', async () => {
      const bodies = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json({ maxDepth: 4 }),
        fc.constantFrom('{"events":' + '['.repeat(100_000), '{"events":[' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) + ']}', '{"events":[],"events":[1]}', '\uFEFF{"events":[]}', '{"events":null}'),
      );
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const res = await hub.post('/events/ingest', body);
          expect(res.status, body.slice(0, 80)).to.be.lessThan(500);
          await res.body?.cancel();
        }),
        { numRuns: 150 },
      );
    });

    it('keeps the first copy when one batch repeats an event_id with other content (duplicate keys in spirit)', async () => {
      const a = makeEvent();
      const body = await (await hub.post('/events/ingest', `{"events":[${JSON.stringify(a)},${JSON.stringify({ ...a, visitor_id: 'VIS_other' })}]}`)).json();
      expect(body).to.deep.include({ inserted: 1, duplicates: 1 });
    });
  });
}
