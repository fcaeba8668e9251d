import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { makeEvent, SEED_EVENT } from '../../fixtures/events.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

for (const dbCase of DATABASES) {
  describe(`POST /events/ingest on ${dbCase.name}`, function () {
    let hub: TestHub;
    let schema: string | undefined;

    before(async function () {
      schema = dbCase.schema();
      hub = await startTestHub({ DATABASE_URL: dbCase.url(), DATABASE_SCHEMA: schema, INGEST_MAX_EVENTS: '600', INGEST_MAX_BYTES: String(512 * 1024) });
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    const count = () => hub.hub.repos.events.count();

    it('stores the seed event and answers inserted/duplicates/errors', async () => {
      const res = await hub.post('/events/ingest', { events: [SEED_EVENT] });
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ inserted: 1, duplicates: 0, errors: [] });
    });

    it('counts a stored event_id as a duplicate, even with different content, and never overwrites it', async () => {
      const before = await count();
      const changed = { ...SEED_EVENT, visitor_id: 'VIS_other', event_type: 'EXIT' };
      const body = await (await hub.post('/events/ingest', { events: [SEED_EVENT, changed] })).json();
      expect(body).to.deep.equal({ inserted: 0, duplicates: 2, errors: [] });
      expect(await count()).to.equal(before);
      const row = await hub.hub.db.knex('events').where({ event_id: SEED_EVENT.event_id }).first();
      expect(row.visitor_id).to.equal('VIS_c8a2f1');
      expect(row.event_type).to.equal('ENTRY');
    });

    it('de-duplicates within one batch (case-insensitive ids)', async () => {
      const e = makeEvent();
      const upper = { ...e, event_id: String(e.event_id).toUpperCase() };
      const body = await (await hub.post('/events/ingest', { events: [e, upper, e] })).json();
      expect(body).to.deep.equal({ inserted: 1, duplicates: 2, errors: [] });
    });

    it('one bad event in a batch of 500 rejects that one event, not the batch', async () => {
      const before = await count();
      const events: unknown[] = Array.from({ length: 500 }, () => makeEvent());
      events[137] = makeEvent({ confidence: 7 });
      const body = await (await hub.post('/events/ingest', { events })).json();
      expect(body.inserted).to.equal(499);
      expect(body.errors).to.deep.equal([
        { index: 137, event_id: (events[137] as { event_id: string }).event_id, field: 'confidence', reason: body.errors[0].reason },
      ]);
      expect(body.errors[0].reason).to.match(/<=1|1/);
      expect(await count()).to.equal(before + 499);
    });

    it('reports non-object events and stores the rest', async () => {
      const good = makeEvent();
      const body = await (await hub.post('/events/ingest', { events: [null, 42, [], good] })).json();
      expect(body.inserted).to.equal(1);
      expect(body.errors.map((e: { index: number; field: string }) => [e.index, e.field])).to.deep.equal([
        [0, '(event)'],
        [1, '(event)'],
        [2, '(event)'],
      ]);
    });

    it('stores timestamps as UTC and keeps unknown metadata keys', async () => {
      const e = makeEvent({ timestamp: '2026-03-03T20:00:00+05:30', metadata: { session_seq: 3, group_id: 'G7' } });
      await hub.post('/events/ingest', { events: [e] });
      const row = await hub.hub.db.knex('events').where({ event_id: e.event_id }).first();
      expect(new Date(Number(row.ts)).toISOString()).to.equal('2026-03-03T14:30:00.000Z');
      expect(JSON.parse(row.metadata)).to.deep.include({ group_id: 'G7', session_seq: 3 });
    });

    it('answers whole-request errors with a status and a reason', async () => {
      const cases: [string | object, Record<string, string>, number, string][] = [
        ['{"events": [', {}, 400, 'INVALID_JSON'],
        [{ nope: [] }, {}, 400, 'BAD_REQUEST'],
        [{ events: 'x' }, {}, 400, 'BAD_REQUEST'],
        ['[]', {}, 400, 'BAD_REQUEST'],
        [{ events: [] }, { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        [{ events: Array.from({ length: 601 }, () => ({})) }, {}, 413, 'TOO_MANY_EVENTS'],
        [{ events: [], pad: 'x'.repeat(600 * 1024) }, {}, 413, 'PAYLOAD_TOO_LARGE'],
      ];
      for (const [body, headers, status, code] of cases) {
        const res = await hub.post('/events/ingest', body, headers);
        expect(res.status, code).to.equal(status);
        const json = await res.json();
        expect(json.error.code).to.equal(code);
        expect(json.error.message).to.be.a('string').and.not.be.empty;
      }
    });

    it('accepts an empty batch', async () => {
      const res = await hub.post('/events/ingest', { events: [] });
      expect(await res.json()).to.deep.equal({ inserted: 0, duplicates: 0, errors: [] });
    });

    it('stores concurrent batches exactly once each (group commit)', async () => {
      const before = await count();
      const batches = Array.from({ length: 12 }, () => Array.from({ length: 100 }, () => makeEvent()));
      batches[5] = batches[4]!; // a retried batch arriving concurrently
      const answers = await Promise.all(batches.map(async (events) => (await hub.post('/events/ingest', { events })).json()));
      const inserted = answers.reduce((n, a) => n + a.inserted, 0);
      const duplicates = answers.reduce((n, a) => n + a.duplicates, 0);
      expect(inserted).to.equal(1100);
      expect(duplicates).to.equal(100);
      expect(await count()).to.equal(before + 1100);
    });

    it('logs one request_complete line with the ingest counts and echoes the trace id', async () => {
      const traceId = `t-${randomUUID()}`;
      const res = await hub.post('/events/ingest', { events: [makeEvent(), { bad: 1 }] }, { 'x-trace-id': traceId });
      expect(res.headers.get('x-trace-id')).to.equal(traceId);
      const line = hub.logs.find((l) => l.trace_id === traceId);
      expect(line).to.include({ event: 'request_complete', endpoint: '/events/ingest', method: 'POST', status_code: 200, inserted_events: 1, duplicates: 0 });
      expect(line?.errors).to.be.greaterThan(0);
      expect(line?.latency_ms).to.be.a('number');
      expect(line?.timestamp).to.be.a('string');
    });
  });
}
