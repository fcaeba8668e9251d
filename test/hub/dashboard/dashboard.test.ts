import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cameraTopic } from '../../../common/topics.js';
import type { StoreMetrics } from '../../../hub/analytics/metrics.js';
import { KPIS } from '../../../hub/dashboard/src/format.js';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { fixtureDay, gridAround, STORE, syntheticBackground } from './fixture-day.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function json<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).to.equal(200);
  return (await res.json()) as T;
}

/** Loads the fixture day through the real paths: HTTP ingest and POS, MQTT for camera heartbeats and heatmaps. */
async function loadDay(hub: TestHub): Promise<void> {
  const day = fixtureDay(Date.now());
  const ingest = await (await hub.post('/events/ingest', { events: day.events })).json();
  expect(ingest.errors, JSON.stringify(ingest.errors?.[0])).to.deep.equal([]);
  const pos = await (await hub.post(`/stores/${STORE}/pos`, day.pos)).json();
  expect(pos.inserted).to.equal(day.pos.length);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'dashboard-test-agent' });
  try {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const spots: Record<string, [number, number]> = { CAM_ENTRY_01: [17, 13], CAM_AISLE_01: [22, 12], CAM_FLOOR_01: [8, 14] };
    for (const [cam, [cx, cy]] of Object.entries(spots)) {
      const status = { state: 'online', ts: new Date().toISOString(), fps: 9.8, frames: 1200, dropped: 0, spool_depth: cam === 'CAM_FLOOR_01' ? 12 : 0, agent_version: '0.1.0' };
      await client.publishAsync(cameraTopic(STORE, cam, 'status'), JSON.stringify(status), { qos: 1, retain: true });
      for (let m = 1; m <= 3; m++) {
        await client.publishAsync(cameraTopic(STORE, cam, 'heatmap'), JSON.stringify(gridAround(minute - m * 60_000, cx + m, cy)), { qos: 1 });
      }
    }
    const bg = { background: { mime: 'image/png', image_base64: syntheticBackground(), width: 320, height: 180 } };
    await client.publishAsync(cameraTopic(STORE, 'CAM_AISLE_01', 'heatmap'), JSON.stringify(bg), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  // QoS 1 PUBACK means the broker has it; the handler stores it right after: wait for it to be readable.
  for (let i = 0; i < 100; i++) {
    const bgRes = await fetch(`${hub.url}/stores/${STORE}/cameras/CAM_AISLE_01/background`);
    await bgRes.body?.cancel();
    const grid = await json<{ minutes: number }>(`${hub.url}/stores/${STORE}/cameras/CAM_FLOOR_01/heatmap`);
    if (bgRes.status === 200 && grid.minutes === 3) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('heatmaps sent over MQTT never became readable');
}

/** The visible text of each KPI tile, by metric key. */
async function tiles(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#kpis [data-kpi]', (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.kpi!, e.querySelector('.tile-value')!.textContent!])));
}

describe('dashboard in a real browser (Chromium via playwright-core)', function () {
  this.timeout(120_000);
  let browser: Browser | null = null;
  let hub: TestHub | null = null;
  let dir = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    dir = mkdtempSync(join(tmpdir(), 'dash-'));
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the API numbers, the funnel, zones and cameras; updates live; reconnects after a hub restart', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, SSE_DEBOUNCE_MS: '250' };
    hub = await startTestHub(env);
    await loadDay(hub);
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(hub.url);
    await page.waitForSelector('#live-status[data-state="live"]');
    await page.waitForSelector('#funnel [data-stage]');
    await page.waitForSelector('#cameras [data-camera][data-background="yes"]');

    // Accessible names on the controls.
    expect(await page.getByRole('combobox', { name: 'Store' }).inputValue()).to.equal(STORE);
    expect(await page.getByRole('combobox', { name: 'Time window' }).inputValue()).to.equal('today');

    // KPI tiles = GET /stores/:id/metrics for the window the page shows, formatted.
    const from = await page.getAttribute('#kpis', 'data-from');
    const to = await page.getAttribute('#kpis', 'data-to');
    const q = `from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`;
    const metrics = await json<StoreMetrics>(`${hub.url}/stores/${STORE}/metrics?${q}`);
    expect(metrics.unique_visitors).to.equal(24);
    expect(metrics.purchased).to.be.greaterThan(0);
    // The fixture has groups and till waits, so the retail KPI tiles show real figures, not their empty forms.
    expect(metrics.buying_units).to.be.within(1, 23);
    expect(metrics.queue_wait_ms.n).to.be.greaterThan(0);
    const expected = Object.fromEntries(KPIS.map((k) => [k.key, k.format(k.value(metrics))]));
    expect(await tiles(page)).to.deep.equal(expected);
    expect(await page.textContent('[data-kpi="occupancy"] .tile-detail')).to.equal(`peak ${metrics.occupancy_peak}`);

    // The funnel has four stages with the API's counts.
    const funnel = await json<Record<string, number>>(`${hub.url}/stores/${STORE}/funnel?${q}`);
    const stages = await page.$$eval('#funnel [data-stage]', (els) => els.map((e) => [(e as HTMLElement).dataset.stage, Number((e as HTMLElement).dataset.value)]));
    expect(stages).to.deep.equal([['entry', funnel.entry], ['zone_visit', funnel.zone_visit], ['billing_queue', funnel.billing_queue], ['purchased', funnel.purchased]]);

    // Floor plan: one shape per layout zone, coloured by the API's `normalized`; cameras and their health.
    const heat = await json<{ zones: { zone_id: string; normalized: number; conversion_rate: number }[] }>(`${hub.url}/stores/${STORE}/heatmap?${q}`);
    const zones = await page.$$eval('#floor-plan [data-zone]', (els) =>
      els.map((e) => [e.getAttribute('data-zone'), [Number(e.getAttribute('data-normalized')), Number(e.getAttribute('data-conversion'))]]),
    );
    expect(Object.fromEntries(zones)).to.deep.equal(Object.fromEntries(heat.zones.map((z) => [z.zone_id, [z.normalized, z.conversion_rate]])));
    expect(heat.zones.some((z) => z.conversion_rate > 0), 'some zone converts').to.equal(true);

    // The CSV button downloads the report of the window on screen: the same bytes as the endpoint.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /one row per hour/ }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const direct = await (await fetch(`${hub.url}/stores/${STORE}/report.csv?interval=hour`)).text();
    expect(csv.split('\r\n')[0]).to.match(/^from,to,unique_visitors,/);
    expect(csv).to.equal(direct);
    expect(download.suggestedFilename()).to.match(new RegExp(`^${STORE}_.*_hour\\.csv$`));
    expect(await page.$$eval('#cameras [data-camera]', (els) => els.map((e) => (e as HTMLElement).dataset.minutes))).to.deep.equal(['3', '3', '3']);
    await page.waitForSelector('#camera-health tr[data-camera="CAM_FLOOR_01"] .state-online');
    expect(await page.getAttribute('#hourly', 'data-hours')).to.match(/^\d+$/);

    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    const phone = await browser!.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(hub.url);
    await phone.waitForSelector('#live-status[data-state="live"]');
    await phone.waitForSelector('#cameras [data-camera]');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling on a phone').to.be.at.most(390);
    await phone.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    await phone.close();

    // Live: a new visitor posted over HTTP reaches the tile within 2 s, without a reload.
    const visitors = KPIS.find((k) => k.key === 'unique_visitors')!;
    const sent = Date.now();
    const res = await hub.post('/events/ingest', { events: [makeEvent({ visitor_id: 'VIS_live_1', timestamp: new Date(sent - 5_000).toISOString() })] });
    expect((await res.json()).inserted).to.equal(1);
    await page.waitForFunction(
      (want) => document.querySelector('[data-kpi="unique_visitors"] .tile-value')?.textContent === want,
      visitors.format(25),
      { timeout: 2_000 },
    );
    console.log(`      visitor tile updated ${Date.now() - sent} ms after the POST`);

    // Stop the hub: the page says it is reconnecting; start it again on the same port and database: it recovers.
    const port = new URL(hub.url).port;
    await hub.close();
    await page.waitForSelector('#live-status[data-state="reconnecting"]', { state: 'visible' });
    expect(await page.textContent('#live-status')).to.match(/reconnecting/i);
    hub = await startTestHub({ ...env, HUB_HTTP_PORT: port });
    await hub.post('/events/ingest', { events: [makeEvent({ visitor_id: 'VIS_live_2', timestamp: new Date(Date.now() - 5_000).toISOString() })] });
    await page.waitForSelector('#live-status[data-state="live"]', { timeout: 30_000 });
    await page.waitForFunction((want) => document.querySelector('[data-kpi="unique_visitors"] .tile-value')?.textContent === want, visitors.format(26));
    expect(consoleErrors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).to.deep.equal([]);
  });
});
