import { expect } from 'chai';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { sseFrame } from '../../../hub/api/stream-routes.js';

interface Frame {
  event: string;
  data: unknown;
  id?: string;
}

/** A minimal SSE reader over fetch (WHATWG HTML §9.2 framing): frames and comment lines, in arrival order. */
async function openStream(url: string) {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  const frames: Frame[] = [];
  const comments: string[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  let retry: number | null = null;
  void (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const f: Partial<Frame> & { data?: string } = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('retry: ')) retry = Number(line.slice(7));
            else if (line.startsWith('event: ')) f.event = line.slice(7);
            else if (line.startsWith('id: ')) f.id = line.slice(4);
            else if (line.startsWith('data: ')) f.data = (f.data === undefined ? '' : `${f.data}\n`) + line.slice(6);
          }
          if (f.event) frames.push({ event: f.event, data: JSON.parse(f.data ?? 'null'), id: f.id });
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      /* aborted */
    }
    ended = true;
    waiters.splice(0).forEach((w) => w());
  })();
  async function until<T>(pick: () => T | undefined, what: string): Promise<T> {
    for (;;) {
      const v = pick();
      if (v !== undefined) return v;
      if (ended) throw new Error(`stream ended before ${what}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  return {
    res,
    frames,
    comments,
    retry: () => retry,
    ended: () => ended,
    /** Waits for the n-th frame (1-based) of a kind. */
    nth: (event: string, n: number) => until(() => frames.filter((f) => f.event === event)[n - 1], `${event} #${n}`),
    find: (pred: (f: Frame) => boolean, what: string) => until(() => frames.find(pred), what),
    comment: (text: string) => until(() => (comments.includes(text) ? true : undefined), `comment ${text}`),
    end: () => until(() => (ended ? true : undefined), 'end'),
    close: () => ac.abort(),
  };
}

const recent = (agoMs = 60_000) => new Date(Date.now() - agoMs).toISOString();
const STORE = 'STORE_BLR_002';

describe('GET /stores/:id/stream (Server-Sent Events)', function () {
  this.timeout(30_000);
  let hub: TestHub;
  beforeEach(async () => {
    hub = await startTestHub({ SSE_KEEPALIVE_S: '1', SSE_DEBOUNCE_MS: '100' });
  });
  afterEach(() => hub?.close());

  it('sends the metrics on connect and again after new events, equal to GET /metrics', async () => {
    await hub.post('/events/ingest', { events: [makeEvent({ visitor_id: 'V1', timestamp: recent() })] });
    const s = await openStream(`${hub.url}/stores/${STORE}/stream`);
    try {
      expect(s.res.status).to.equal(200);
      expect(s.res.headers.get('content-type')).to.match(/^text\/event-stream/);
      const first = (await s.nth('metrics', 1)).data as { unique_visitors: number };
      expect(s.retry()).to.equal(2000);
      expect(first).to.deep.equal(await (await fetch(`${hub.url}/stores/${STORE}/metrics`)).json());
      expect(first.unique_visitors).to.equal(1);

      const res = await hub.post('/events/ingest', {
        events: [makeEvent({ visitor_id: 'V2', timestamp: recent() }), makeEvent({ visitor_id: 'V3', timestamp: recent() })],
      });
      expect((await res.json()).inserted).to.equal(2);
      const second = (await s.nth('metrics', 2)).data as { unique_visitors: number };
      expect(second.unique_visitors).to.equal(3);
      expect(second).to.deep.equal(await (await fetch(`${hub.url}/stores/${STORE}/metrics`)).json());
      expect(Number(s.frames[1]!.id)).to.be.greaterThan(Number(s.frames[0]!.id));
    } finally {
      s.close();
    }
  });

  it('ignores events of other stores and coalesces a burst into one push', async () => {
    const s = await openStream(`${hub.url}/stores/${STORE}/stream`);
    try {
      await s.nth('metrics', 1);
      await hub.post('/events/ingest', { events: [makeEvent({ store_id: 'OTHER_STORE', timestamp: recent() })] });
      await Promise.all([0, 1, 2, 3, 4].map((i) => hub.post('/events/ingest', { events: [makeEvent({ visitor_id: `B${i}`, timestamp: recent() })] })));
      const five = await s.find((f) => f.event === 'metrics' && (f.data as { unique_visitors: number }).unique_visitors === 5, 'metrics with 5 visitors');
      const metrics = s.frames.filter((f) => f.event === 'metrics');
      // Five batches posted at once: the connect frame plus at most two pushes (one may catch a partial burst).
      expect(metrics.indexOf(five)).to.be.within(1, 2);
      expect(metrics.every((f) => (f.data as { unique_visitors: number }).unique_visitors <= 5)).to.equal(true);
    } finally {
      s.close();
    }
  });

  it('answers 404 for an unknown store and 400 for a bad window, as JSON, before streaming', async () => {
    const unknown = await fetch(`${hub.url}/stores/NOPE/stream`);
    expect(unknown.status).to.equal(404);
    expect((await unknown.json()).error.code).to.equal('NOT_FOUND');
    const bad = await fetch(`${hub.url}/stores/${STORE}/stream?from=yesterday`);
    expect(bad.status).to.equal(400);
    expect((await bad.json()).error.message).to.match(/^from:/);
  });

  it('sends keepalive comments and removes its listeners when the client goes', async () => {
    const before = hub.hub.bus.listenerCount('events_stored');
    const s = await openStream(`${hub.url}/stores/${STORE}/stream`);
    await s.nth('metrics', 1);
    expect(hub.hub.bus.listenerCount('events_stored')).to.equal(before + 1);
    expect(hub.hub.stream.clients()).to.equal(1);
    await s.comment('keepalive');
    s.close();
    for (let i = 0; i < 100 && hub.hub.stream.clients() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hub.hub.stream.clients()).to.equal(0);
    expect(hub.hub.bus.listenerCount('events_stored')).to.equal(before);
  });

  it('tells the page when a camera heatmap arrives', async () => {
    const s = await openStream(`${hub.url}/stores/${STORE}/stream`);
    try {
      await s.nth('metrics', 1);
      await hub.hub.heatmapSink.record(STORE, 'CAM_AISLE_01', { minute_ts: 60_000 * 29_000_000, cols: 2, rows: 1, counts: [3, 0] });
      expect((await s.nth('heatmap', 1)).data).to.deep.equal({ camera_id: 'CAM_AISLE_01' });
    } finally {
      s.close();
    }
  });

  it('ends open streams when the hub closes, so shutdown does not hang', async () => {
    const s = await openStream(`${hub.url}/stores/${STORE}/stream`);
    await s.nth('metrics', 1);
    await hub.close();
    await s.end();
    expect(s.ended()).to.equal(true);
  });
});

describe('sseFrame', () => {
  it('writes id, event and one data line per JSON line', () => {
    expect(sseFrame('metrics', { a: 1 }, 7)).to.equal('id: 7\nevent: metrics\ndata: {"a":1}\n\n');
    expect(sseFrame('x', 'two\nlines')).to.equal('event: x\ndata: "two\\nlines"\n\n');
  });
});
