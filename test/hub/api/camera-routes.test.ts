import { expect } from 'chai';
import { isAppError } from '../../../common/errors.js';
import { encodePng } from '../../../agent/heatmap/png.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

const STORE = 'STORE_BLR_002';
const M = Date.parse('2026-03-03T10:00:00Z'); // 15:30 in Asia/Kolkata

for (const dbc of DATABASES) {
  describe(`camera heatmaps and backgrounds (${dbc.name})`, function () {
    this.timeout(30_000);
    let hub: TestHub;
    const schema = dbc.schema();
    before(async () => {
      hub = await startTestHub({ DATABASE_URL: dbc.url(), DATABASE_SCHEMA: schema });
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });
    const get = (path: string) => fetch(`${hub.url}/stores/${STORE}${path}`);

    it('sums the minutes of the window; a re-sent minute replaces the stored one', async () => {
      const sink = hub.hub.heatmapSink;
      await sink.record(STORE, 'CAM_A', { minute_ts: M, cols: 2, rows: 2, counts: [1, 2, 3, 4] });
      await sink.record(STORE, 'CAM_A', { minute_ts: new Date(M + 60_000).toISOString(), cols: 2, rows: 2, counts: [0, 0, 0, 9] });
      await sink.record(STORE, 'CAM_A', { minute_ts: M, cols: 2, rows: 2, counts: [1, 1, 1, 1] }); // QoS 1 redelivery, corrected
      await sink.record(STORE, 'CAM_A', { minute_ts: M + 5 * 60_000, cols: 3, rows: 1, counts: [5, 5, 5] }); // outside the window below
      const res = await get(`/cameras/CAM_A/heatmap?from=2026-03-03T10:00:00Z&to=2026-03-03T10:02:00Z`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.include({ camera_id: 'CAM_A', cols: 2, rows: 2, counts: [1, 1, 1, 10], minutes: 2, skipped_minutes: 0, max: 10 });
      // A window holding two grid sizes sums the newest size and counts the others as skipped.
      const mixed = await (await get(`/cameras/CAM_A/heatmap?from=2026-03-03&to=2026-03-04`)).json();
      expect(mixed).to.deep.include({ cols: 3, rows: 1, counts: [5, 5, 5], minutes: 1, skipped_minutes: 2 });
      const empty = await (await get(`/cameras/CAM_NONE/heatmap?from=2026-03-03&to=2026-03-04`)).json();
      expect(empty).to.deep.include({ cols: 0, rows: 0, counts: [], minutes: 0 });
    });

    it('rejects bad payloads naming the field', async () => {
      const bad = async (payload: unknown, pattern: RegExp) => {
        const err = await hub.hub.heatmapSink.record(STORE, 'CAM_A', payload).then(() => null, (e: unknown) => e);
        expect(isAppError(err), String(err)).to.equal(true);
        expect((err as Error).message).to.match(pattern);
      };
      await bad({ minute_ts: M, cols: 2, rows: 2, counts: [1, 2, 3] }, /counts: must have cols\*rows = 4 entries \(got 3\)/);
      await bad({ minute_ts: M + 1, cols: 1, rows: 1, counts: [1] }, /minute_ts: must be the start of a minute/);
      await bad({ minute_ts: M, cols: 65, rows: 1, counts: [] }, /cols/);
      await bad({ minute_ts: M, cols: 1, rows: 1, counts: [-1] }, /counts\.0/);
      await bad({ background: { mime: 'image/gif', image_base64: 'AAAA' } }, /background\.mime/);
      await bad({ background: { mime: 'image/png', image_base64: 'not base64!' } }, /background\.image_base64: must be base64/);
      await bad('nope', /heatmap grid/);
    });

    it('serves the latest background frame with its type, 404 before one arrives', async () => {
      expect((await get('/cameras/CAM_B/background')).status).to.equal(404);
      const png = encodePng({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
      await hub.hub.heatmapSink.record(STORE, 'CAM_B', { background: { mime: 'image/png', image_base64: png.toString('base64') } });
      const res = await get('/cameras/CAM_B/background');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('image/png');
      expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), png)).to.equal(0);
    });

    it('answers 404 for an unknown store, 400 for a bad camera id or window', async () => {
      const unknown = await fetch(`${hub.url}/stores/NOPE/cameras/CAM_A/heatmap`);
      expect(unknown.status).to.equal(404);
      const badCam = await get(`/cameras/${encodeURIComponent('a b')}/heatmap`);
      expect(badCam.status).to.equal(400);
      expect((await badCam.json()).error).to.include({ code: 'BAD_REQUEST', field: 'cam' });
      expect((await get('/cameras/CAM_A/heatmap?from=soon')).status).to.equal(400);
      expect((await fetch(`${hub.url}/stores/NOPE/cameras/CAM_A/background`)).status).to.equal(404);
    });
  });
}

describe('dashboard page and assets', () => {
  it('serves / and its bundle, with ETag revalidation, and 404s unknown assets', async () => {
    const hub = await startTestHub();
    try {
      const page = await fetch(`${hub.url}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/text\/html/);
      const html = await page.text();
      expect(html).to.include('/assets/app.js').and.include('/assets/app.css');
      const js = await fetch(`${hub.url}/assets/app.js`);
      expect(js.headers.get('content-type')).to.match(/javascript/);
      expect((await js.text()).length).to.be.greaterThan(10_000);
      const again = await fetch(`${hub.url}/assets/app.js`, { headers: { 'if-none-match': js.headers.get('etag')! } });
      expect(again.status).to.equal(304);
      expect((await fetch(`${hub.url}/assets/..%2fbuild.ts`)).status).to.equal(404);
      expect((await fetch(`${hub.url}/assets/nope.js`)).status).to.equal(404);
    } finally {
      await hub.close();
    }
  });
});
