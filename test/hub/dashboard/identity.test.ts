import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { identityNote, stageIdentityText } from '../../../hub/dashboard/src/identity.js';
import { createVisitorLinkRepository } from '../../../hub/store/visitor-link-repository.js';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const zeros = { identity: { linked_visitors: 0, purchased_linked: 0, purchased_unlinked: 0 }, uncounted_transactions: { entered_before_window: 0, beyond_visitors: 0 } };

describe('dashboard identity note (text)', () => {
  it('says nothing for a store where identity played no part', () => {
    expect(identityNote(zeros)).to.equal(null);
    expect(stageIdentityText({ linked: 0, unlinked: 0 })).to.equal('');
  });

  it('names linked and unlinked purchases and every uncounted sale with its reason', () => {
    const text = identityNote({
      identity: { linked_visitors: 3, purchased_linked: 2, purchased_unlinked: 1 },
      uncounted_transactions: { entered_before_window: 1, beyond_visitors: 2 },
    });
    expect(text).to.include('2 linked to their entrance visitor, 1 counted without a link');
    expect(text).to.include('3 visitors linked across cameras');
    expect(text).to.include('1 sale went to shoppers who entered before this window');
    expect(text).to.include('2 sales by till-camera customers exceed the visitors');
    expect(stageIdentityText({ linked: 2, unlinked: 1 })).to.equal('2 linked · 1 without a link');
  });
});

describe('dashboard shows linked/unlinked for a two-camera store (Chromium via playwright-core)', function () {
  this.timeout(120_000);
  let browser: Browser | null = null;
  let hub: TestHub | null = null;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('under the tiles and under the funnel stages, with the API\'s numbers', async () => {
    hub = await startTestHub();
    const store = `STORE_DASH_TWO_${randomBytes(3).toString('hex').toUpperCase()}`;
    const layout = {
      name: 'Door + till',
      timezone: 'UTC',
      zones: [{ zone_id: 'Z_COUNTER', name: 'Counter', type: 'billing' }],
      cameras: [
        { camera_id: 'CAM_DOOR', door_lines: [{ line_id: 'L', a: [0, 0.9], b: [1, 0.9], inside: 'left' }] },
        { camera_id: 'CAM_TILL', zones: [{ zone_id: 'Z_COUNTER', polygon: [[0, 0], [1, 0], [1, 1]] }] },
      ],
    };
    const put = await fetch(`${hub.url}/stores/${store}/layout`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(layout) });
    expect(put.status).to.equal(201);
    // Three visitors at the door, their till ids; two sales. T1 is linked to D1, T2 is not.
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const t0 = Math.max(midnight + 60_000, Date.now() - 30 * 60_000);
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const ev = (camera_id: string, visitor_id: string, event_type: string, s: number, zone_id: string | null = null) =>
      makeEvent({ store_id: store, camera_id, visitor_id, event_type, timestamp: at(s), zone_id });
    const events = [1, 2, 3].flatMap((i) => [
      ev('CAM_DOOR', `VIS_d${i}`, 'ENTRY', i * 100),
      ev('CAM_TILL', `VIS_t${i}`, 'ZONE_ENTER', i * 100 + 30, 'Z_COUNTER'),
      ev('CAM_TILL', `VIS_t${i}`, 'BILLING_QUEUE_JOIN', i * 100 + 35, 'Z_COUNTER'),
    ]);
    const ingest = await (await hub.post('/events/ingest', { events })).json();
    expect(ingest.errors).to.deep.equal([]);
    const pos = [1, 2].map((i) => ({ transaction_id: `TX_${store}_${i}`, store_id: store, timestamp: at(i * 100 + 40), basket_value_inr: 100 }));
    expect((await hub.post(`/stores/${store}/pos`, pos)).status).to.equal(200);
    await createVisitorLinkRepository(hub.hub.db).saveLinks([
      { store_id: store, visitor_id: 'VIS_t1', entrance_visitor_id: 'VIS_d1', camera_id: 'CAM_TILL', score: 0.8, linked_at: t0 + 130_000 },
    ]);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${hub.url}/?store=${store}`);
    await page.waitForSelector('#identity:not([hidden])');
    const note = await page.textContent('#identity');
    expect(note).to.include('1 linked to their entrance visitor, 1 counted without a link');
    expect(note).to.include('1 visitor linked across cameras');
    await page.waitForSelector('#funnel [data-stage="purchased"]');
    const stage = await page.$eval('#funnel [data-stage="purchased"]', (e) => ({
      value: (e as HTMLElement).dataset.value,
      linked: (e as HTMLElement).dataset.linked,
      unlinked: (e as HTMLElement).dataset.unlinked,
      text: e.querySelector('.stage-identity')?.textContent,
    }));
    expect(stage).to.deep.equal({ value: '2', linked: '1', unlinked: '1', text: '1 linked · 1 without a link' });
    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/dashboard-two-camera.png', fullPage: true });
    const metrics = await (await fetch(`${hub.url}/stores/${store}/metrics`)).json();
    expect(metrics).to.deep.include({ unique_visitors: 3, purchased: 2 });
  });
});
