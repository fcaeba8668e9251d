import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cameraTopic, configTopic, hubTopic } from '../../../common/topics.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { appendKey, createApiKey } from '../../../hub/security/api-keys.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { syntheticBackground } from './fixture-day.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CLIP = 'media/one-by-one-person-detection.mp4';

/**
 * A background for the editor: a real frame of a shared clip (real ffmpeg) when STORE_ASSETS_DIR has it, else the
 * synthetic one the dashboard test uses. Either way it travels as the agent's does: MQTT heatmap topic → hub.
 */
function background(): { mime: 'image/jpeg' | 'image/png'; image_base64: string } {
  const assets = process.env.STORE_ASSETS_DIR;
  if (assets && existsSync(join(assets, CLIP))) {
    const { ffmpegPath } = resolveBinaries({});
    const jpeg = execFileSync(ffmpegPath, ['-v', 'error', '-ss', '0', '-i', join(assets, CLIP), '-frames:v', '1', '-vf', 'scale=640:-2', '-f', 'mjpeg', '-q:v', '4', '-']);
    return { mime: 'image/jpeg', image_base64: jpeg.toString('base64') };
  }
  return { mime: 'image/png', image_base64: syntheticBackground(640, 360) };
}

/** Canvas-relative (0..1) → page pixels. */
async function at(page: Page, x: number, y: number): Promise<[number, number]> {
  const box = (await page.locator('#cal-canvas').boundingBox())!;
  return [box.x + x * box.width, box.y + y * box.height];
}

describe('calibration page in a real browser (Chromium via playwright-core)', function () {
  this.timeout(120_000);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const STORE = `CAL_${tag}`;
  let browser: Browser | null = null;
  let hub: TestHub | null = null;
  let dir = '';
  let admin = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cal-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const { key, entry } = await createApiKey({ name: 'installer', role: 'admin' });
    appendKey(join(dir, 'keys.json'), entry);
    admin = key;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    hub = await startTestHub({ HUB_API_KEYS_FILE: join(dir, 'keys.json') });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws a door line and a zone with the mouse, shows a validation error at the zone, saves, and the agent topic gets it', async () => {
    const h = hub!;
    const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const initial = { name: 'Calibration store', zones: [], cameras: [{ camera_id: 'CAM_DOOR', name: 'Door' }] };
    expect((await fetch(`${h.url}/stores/${STORE}/layout`, { method: 'PUT', headers: auth, body: JSON.stringify(initial) })).status).to.equal(201);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${h.mqttPort}`, { clientId: `cal-test-${tag}`, protocolVersion: 4 });
    try {
      await client.publishAsync(cameraTopic(STORE, 'CAM_DOOR', 'heatmap'), JSON.stringify({ background: { ...background(), width: 640 } }), { qos: 1 });
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // HTTP failures are checked by URL below (the refused save is a 400 on purpose), script errors here.
      page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
      const failed: string[] = [];
      page.on('response', (r) => r.status() >= 400 && failed.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`));
      await page.goto(`${h.url}/?api_key=${admin}#/calibrate?store=${STORE}&camera=CAM_DOOR`);
      await page.waitForSelector('#calibrate[data-ready="yes"][data-background="yes"]');
      const ratio = await page.$eval('#cal-canvas', (c) => (c as HTMLCanvasElement).width / (c as HTMLCanvasElement).height);
      const box = (await page.locator('#cal-canvas').boundingBox())!;
      expect(box.width / box.height).to.be.closeTo(ratio, 0.02); // shown at the background's own aspect ratio

      // A door line: press, drag, release.
      await page.getByRole('button', { name: 'Draw door line' }).click();
      await page.mouse.move(...(await at(page, 0.1, 0.72)));
      await page.mouse.down();
      await page.mouse.move(...(await at(page, 0.5, 0.72)), { steps: 5 });
      await page.mouse.move(...(await at(page, 0.9, 0.72)), { steps: 5 });
      await page.mouse.up();
      await page.waitForSelector('#cal-canvas[data-lines="1"]');
      await page.locator('#cal-flip').click(); // inside below the line instead
      // A zone: four corners, then the first corner again closes it.
      await page.getByRole('button', { name: 'Draw zone' }).click();
      for (const [x, y] of [[0.2, 0.2], [0.6, 0.2], [0.6, 0.55], [0.2, 0.55], [0.2, 0.2]] as const) await page.mouse.click(...(await at(page, x, y)));
      await page.waitForSelector('#cal-canvas[data-zones="1"]');

      // An empty name is refused by the hub; the reason is listed under the zone and drawn at it.
      await page.locator('#cal-zone-name').fill('');
      await page.locator('#cal-key').fill(admin);
      await page.locator('#cal-save').click();
      await page.waitForSelector('#cal-errors li[data-shape="zone:0"]');
      expect(await page.textContent('#cal-errors li[data-shape="zone:0"]')).to.match(/zone ZONE_1: name: /);
      await page.screenshot({ path: join(ARTIFACTS, 'calibrate-error.png') });

      // Fix it, make it the billing area, drag one corner, save.
      await page.locator('#cal-zone-name').fill('Till queue');
      await page.locator('#cal-zone-type').selectOption('billing');
      await page.locator('#cal-zone-band').fill('0.05');
      await page.locator('#cal-till').click(); // a billing zone's service area (the till)
      for (const [x, y] of [[0.25, 0.25], [0.4, 0.25], [0.4, 0.4], [0.25, 0.25]] as const) await page.mouse.click(...(await at(page, x, y)));
      await page.waitForSelector('#cal-till:text("Redraw till area")');
      await page.mouse.move(...(await at(page, 0.6, 0.55)));
      await page.mouse.down();
      await page.mouse.move(...(await at(page, 0.7, 0.6)), { steps: 5 });
      await page.mouse.up();
      const configSeen = new Promise<string>((resolve) =>
        client.on('message', (t, p) => {
          if (t === configTopic(STORE, 'CAM_DOOR') && p.toString().includes('Till queue')) resolve(p.toString());
        }),
      );
      await client.subscribeAsync(configTopic(STORE, 'CAM_DOOR'), { qos: 1 });
      await page.locator('#cal-save').click();
      await page.waitForSelector('#calibrate[data-saved="1"]');
      expect(await page.$$eval('#cal-errors li', (l) => l.length)).to.equal(0);

      // The layout read back from the hub is what was drawn, normalised 0..1.
      const back = (await (await fetch(`${h.url}/stores/${STORE}/layout`, { headers: auth })).json()) as {
        zones: { zone_id: string; name: string; type: string }[];
        cameras: { door_lines: { a: number[]; b: number[]; inside: string; hysteresis: number }[]; zones: { zone_id: string; polygon: number[][]; band?: number; service_zone?: number[][] }[] }[];
      };
      const line = back.cameras[0]!.door_lines[0]!;
      expect(line.a[0]).to.be.closeTo(0.1, 0.01);
      expect(line.a[1]).to.be.closeTo(0.72, 0.01);
      expect(line.b[0]).to.be.closeTo(0.9, 0.01);
      expect(line).to.include({ inside: 'right', hysteresis: 0.03 });
      expect(back.zones).to.deep.equal([{ zone_id: 'ZONE_1', name: 'Till queue', type: 'billing' }]);
      const poly = back.cameras[0]!.zones[0]!.polygon;
      expect(poly).to.have.length(4);
      expect(back.cameras[0]!.zones[0]).to.include({ band: 0.05 });
      expect(back.cameras[0]!.zones[0]!.service_zone).to.have.length(3);
      expect(poly[2]![0]).to.be.closeTo(0.7, 0.01);
      expect(poly[2]![1]).to.be.closeTo(0.6, 0.01);
      for (const p of poly.flat()) expect(p).to.be.within(0, 1);

      // The retained config message the camera's agent reads carries the same layout.
      const retained = JSON.parse(await configSeen);
      expect(retained.cameras[0].zones[0].polygon).to.deep.equal(poly);

      // Live dots: the open page raised the camera's watch flag; positions sent as the agent does appear as dots,
      // and the fired events flash the zone and the door line.
      const watchFlag = new Promise<string>((resolve) => client.on('message', (t, p) => t === hubTopic(STORE, 'CAM_DOOR', 'watch') && p.length > 0 && resolve(p.toString())));
      await client.subscribeAsync(hubTopic(STORE, 'CAM_DOOR', 'watch'), { qos: 1 });
      expect(JSON.parse(await watchFlag)).to.have.keys('ttl_ms', 'max_hz');
      const live = (tracks: [number, number, number][], fired: { type: string; zone_id: string | null }[]) =>
        client.publishAsync(cameraTopic(STORE, 'CAM_DOOR', 'live'), JSON.stringify({ ts: Date.now(), tracks: tracks.map(([id, x, y]) => ({ id, x, y })), fired }), { qos: 0 });
      await live([[4, 0.35, 0.45], [9, 0.5, 0.85]], []);
      await page.waitForSelector('#cal-canvas[data-dots="2"]');
      await live([[4, 0.37, 0.47], [9, 0.5, 0.78]], [{ type: 'ZONE_ENTER', zone_id: 'ZONE_1' }, { type: 'ENTRY', zone_id: null }]);
      await page.waitForFunction(() => /zone:0/.test(document.querySelector<HTMLElement>('#cal-canvas')!.dataset.flashing ?? '') && /line:0/.test(document.querySelector<HTMLElement>('#cal-canvas')!.dataset.flashing ?? ''));
      await page.screenshot({ path: join(ARTIFACTS, 'calibrate.png') });

      const phone = await browser!.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
      await phone.goto(`${h.url}/?api_key=${admin}#/calibrate?store=${STORE}&camera=CAM_DOOR`);
      await phone.waitForSelector('#calibrate[data-ready="yes"]');
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling on a phone').to.be.at.most(390);
      await phone.screenshot({ path: join(ARTIFACTS, 'calibrate-phone.png'), fullPage: true });
      await phone.close();
      expect(errors).to.deep.equal([]);
      expect(failed).to.deep.equal([`PUT /stores/${STORE}/layout 400`]);
    } finally {
      await client.endAsync();
    }
  });
});
