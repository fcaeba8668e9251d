import { expect } from 'chai';
import fc from 'fast-check';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

/** Hostile strings for path ids and query values. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('STORE_BLR_002', 'CAM_ENTRY_01', '', '..', '../../etc/passwd', '%00', "' OR 1=1 --", 'x'.repeat(5000), '2026-13-45T99:99:99Z',
    '2026-03-03T00:00:00Z', '2026-03-03', 'now', '-1', '1e400', 'NaN', '[]', '{}', '\u202e', '😀'),
);

/** Fills a route pattern's :params with hostile text (URL-encoded, as a client would send it). */
function concrete(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/:(\w+)/g, () => encodeURIComponent(values[i++ % values.length] ?? 'x') || 'x');
}

describe('GET endpoints under fuzzing (every route the hub serves)', function () {
  this.timeout(180_000);
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
    await hub.post('/events/ingest', { events: Array.from({ length: 50 }, (_, i) => makeEvent({ visitor_id: `VIS_${i % 7}` })) });
  });
  after(() => hub?.close());

  it('answers random path ids and query strings with a status below 500', async () => {
    // SSE streams stay open by design; they are fuzzed for their status line only (see below).
    const routes = hub.hub.routes.filter((r) => r.method === 'GET' && !r.path.endsWith('/stream'));
    expect(routes.length).to.be.greaterThan(2);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(hostileText, { minLength: 1, maxLength: 3 }),
        fc.dictionary(fc.constantFrom('from', 'to', 'limit', 'store', 'x', 'from[]', 'api_key'), hostileText, { maxKeys: 3 }),
        async (route, ids, query) => {
          const qs = new URLSearchParams(query).toString();
          const url = `${hub.url}${concrete(route.path, ids)}${qs ? `?${qs}` : ''}`;
          const res = await fetch(url);
          await res.body?.cancel();
          expect(res.status, url.slice(0, 200)).to.be.lessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers stream routes with a status below 500 for hostile ids', async () => {
    const streams = hub.hub.routes.filter((r) => r.method === 'GET' && r.path.endsWith('/stream'));
    for (const r of streams) {
      for (const id of ['NOPE', "'; DROP TABLE events; --", 'x'.repeat(300)]) {
        const ac = new AbortController();
        const res = await fetch(`${hub.url}${concrete(r.path, [id])}`, { signal: ac.signal });
        expect(res.status).to.be.lessThan(500);
        ac.abort();
      }
    }
  });
});
