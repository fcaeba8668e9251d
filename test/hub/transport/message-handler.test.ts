import { expect } from 'chai';
import { AppError } from '../../../common/errors.js';
import { silentLogger } from '../../../common/logger.js';
import { createMessageHandler, RetryLater, type IngestLike } from '../../../hub/transport/message-handler.js';
import { makeEvent } from '../../fixtures/events.js';

describe('hub/transport/message-handler', () => {
  const T = 'store/STORE_BLR_002/camera/CAM_ENTRY_01/events';
  function setup(ingestImpl?: IngestLike['ingest']) {
    const calls: { raws: unknown[]; source: unknown }[] = [];
    const statuses: unknown[] = [];
    const ingest: IngestLike = {
      ingest: ingestImpl ?? (async (raws, source) => (calls.push({ raws, source }), { inserted: raws.length, duplicates: 0, errors: [] })),
    };
    const h = createMessageHandler({ ingest, statusSink: { record: (s, c, st) => void statuses.push([s, c, st]) }, logger: silentLogger(), maxPayloadBytes: 1000 });
    return { h, calls, statuses };
  }
  const buf = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));

  it('passes an events array to the ingest service with the topic as source', async () => {
    const { h, calls } = setup();
    await h.handle(T, buf([makeEvent()]));
    expect(calls).to.have.length(1);
    expect(calls[0]!.source).to.deep.equal({ kind: 'mqtt', storeId: 'STORE_BLR_002', cameraId: 'CAM_ENTRY_01' });
    expect(h.stats()).to.deep.include({ messages: 1, events_inserted: 1, invalid_messages: 0 });
  });

  it('counts and drops non-JSON, non-array, oversized and off-contract messages without calling ingest', async () => {
    const { h, calls } = setup();
    await h.handle(T, buf('not json'));
    await h.handle(T, buf({ events: [] }));
    await h.handle(T, Buffer.alloc(2000, 0x5b));
    await h.handle('store/x y/camera/c/events', buf([]));
    await h.handle('store/S/camera/C/status', buf({ state: 'maybe' }));
    expect(calls).to.have.length(0);
    expect(h.stats().invalid_messages).to.equal(5);
  });

  it('counts events the ingest service rejected', async () => {
    const { h } = setup(async () => ({ inserted: 1, duplicates: 1, errors: [{ index: 2, event_id: null, field: 'x', reason: 'y' }, { index: 2, event_id: null, field: 'z', reason: 'y' }] }));
    await h.handle(T, buf([1, 2, 3]));
    expect(h.stats()).to.deep.include({ events_inserted: 1, events_duplicate: 1, events_rejected: 1 });
  });

  it('throws RetryLater when the database is down, so the message is not acknowledged', async () => {
    const { h } = setup(async () => {
      throw new AppError('DB_UNAVAILABLE', 'database unavailable');
    });
    let err: unknown;
    try {
      await h.handle(T, buf([makeEvent()]));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RetryLater);
    expect(h.stats().retries).to.equal(1);
  });

  it('signatures: an array of at most 200 goes to the signature sink with the topic as source; a database down means RetryLater', async () => {
    const got: unknown[] = [];
    let down = false;
    const h = createMessageHandler({
      ingest: { ingest: async () => ({ inserted: 0, duplicates: 0, errors: [] }) },
      signatureSink: {
        ingest: async (raws, source) => {
          if (down) throw new AppError('DB_UNAVAILABLE', 'database unavailable');
          got.push([raws.length, source]);
          return { inserted: raws.length, duplicates: 0, errors: [] };
        },
      },
      logger: silentLogger(),
      maxPayloadBytes: 100_000,
    });
    const topic = 'store/S/camera/C/signatures';
    await h.handle(topic, buf([{}, {}]));
    await h.handle(topic, buf({ signatures: [] }));
    await h.handle(topic, buf(Array.from({ length: 201 }, () => ({}))));
    expect(got).to.deep.equal([[2, { storeId: 'S', cameraId: 'C' }]]);
    expect(h.stats().invalid_messages).to.equal(2);
    down = true;
    let err: unknown;
    await h.handle(topic, buf([{}])).catch((e) => (err = e));
    expect(err).to.be.instanceOf(RetryLater);
  });

  it('records a valid heartbeat with defaults', async () => {
    const { h, statuses } = setup();
    await h.handle('store/S/camera/C/status', buf({ state: 'offline', ts: '2026-03-03T10:00:00Z' }));
    expect(statuses).to.deep.equal([['S', 'C', { state: 'offline', ts: '2026-03-03T10:00:00Z', fps: 0, frames: 0, dropped: 0, spool_depth: 0, agent_version: 'unknown' }]]);
  });
});
