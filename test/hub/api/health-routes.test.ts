import { expect } from 'chai';
import { buildHealthReport } from '../../../hub/health/health-service.js';
import { makeEvent } from '../../fixtures/events.js';
import { PG_URL, dropPgSchema, startTestHub } from '../../helpers/hub.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';

describe('GET /health', () => {
  it('is healthy with no stores, then reports each store with its newest event and lag', async () => {
    const hub = await startTestHub();
    try {
      let res = await fetch(`${hub.url}/health`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ status: 'healthy', db: 'ok', stores: {}, warnings: [] });

      const recent = new Date(Date.now() - 60_000).toISOString();
      await hub.post('/events/ingest', { events: [makeEvent({ store_id: 'S_FRESH', timestamp: recent })] });
      await hub.post('/events/ingest', { events: [makeEvent({ store_id: 'S_OLD', timestamp: '2026-01-01T00:00:00Z' })] });
      res = await fetch(`${hub.url}/health`);
      const body = await res.json();
      expect(res.status).to.equal(200);
      expect(body.status).to.equal('degraded');
      expect(body.stores.S_FRESH.last_event_timestamp).to.equal(new Date(Date.parse(recent)).toISOString());
      expect(body.stores.S_FRESH.lag_minutes).to.be.within(0.9, 1.2);
      expect(body.warnings).to.have.length(1);
      expect(body.warnings[0]).to.match(/S_OLD/);
    } finally {
      await hub.close();
    }
  });
});

describe('health report rules (pure)', () => {
  const now = Date.parse('2026-03-03T12:00:00Z');
  const cam = (over: Partial<{ state: string; last_heartbeat: number }>) => ({
    store_id: 'S1', camera_id: 'CAM_1', state: 'online', last_heartbeat: now - 5_000, fps: 10, spool_depth: 0,
    payload: JSON.stringify({ queue_depth: 2 }), ...over,
  });

  it('is healthy when the store and its cameras are fresh', () => {
    const r = buildHealthReport([{ store_id: 'S1', last_event_ts: now - 60_000 }], [cam({})], { now, staleFeedMinutes: 10 });
    expect(r.status).to.equal('healthy');
    expect(r.stores.S1!.cameras.CAM_1).to.include({ state: 'online', fps: 10, spool_depth: 0, queue_depth: 2 });
  });

  it('degrades when a camera is offline or silent, naming the camera', () => {
    const off = buildHealthReport([], [cam({ state: 'offline' })], { now, staleFeedMinutes: 10 });
    expect(off.status).to.equal('degraded');
    expect(off.warnings[0]).to.match(/S1\/CAM_1 is offline/);
    const silent = buildHealthReport([], [cam({ last_heartbeat: now - 11 * 60_000 })], { now, staleFeedMinutes: 10 });
    expect(silent.warnings[0]).to.match(/S1\/CAM_1: no heartbeat for 11 min/);
  });

  it('degrades a store whose newest event is older than STALE_FEED_MINUTES', () => {
    const r = buildHealthReport([{ store_id: 'S1', last_event_ts: now - 10 * 60_000 - 1 }], [], { now, staleFeedMinutes: 10 });
    expect(r.status).to.equal('degraded');
    const ok = buildHealthReport([{ store_id: 'S1', last_event_ts: now - 10 * 60_000 }], [], { now, staleFeedMinutes: 10 });
    expect(ok.status).to.equal('healthy');
  });
});

describe('database down (real PostgreSQL behind a TCP proxy that the test cuts)', function () {
  this.timeout(60_000);

  it('answers 503 with Retry-After on ingest, claims no partial write, and reports unhealthy; recovers after', async () => {
    const pg = new URL(PG_URL);
    const proxy = await startTcpProxy(pg.hostname, Number(pg.port || 5432));
    const schema = `t_down_${Date.now().toString(36)}`;
    pg.host = `127.0.0.1:${proxy.port}`;
    const hub = await startTestHub({ DATABASE_URL: pg.toString(), DATABASE_SCHEMA: schema });
    try {
      const first = await hub.post('/events/ingest', { events: [makeEvent()] });
      expect((await first.json()).inserted).to.equal(1);

      await proxy.cut();
      const batch = Array.from({ length: 50 }, () => makeEvent());
      const res = await hub.post('/events/ingest', { events: batch });
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      const body = await res.json();
      expect(body.error.code).to.equal('DB_UNAVAILABLE');
      expect(body).to.not.have.property('inserted');

      const health = await fetch(`${hub.url}/health`);
      expect(health.status).to.equal(503);
      expect(await health.json()).to.include({ status: 'unhealthy', db: 'error' });

      await proxy.restore();
      const again = await hub.post('/events/ingest', { events: batch });
      expect(again.status).to.equal(200);
      expect(await again.json()).to.deep.include({ inserted: 50, duplicates: 0 });
      expect(await hub.hub.repos.events.count()).to.equal(51);
    } finally {
      await hub.close();
      await proxy.close();
      await dropPgSchema(schema);
    }
  });
});
