import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { runTs } from '../../scripts/lib/child.js';
import { cameraTopic } from '../../common/topics.js';
import { startTestHub } from '../helpers/hub.js';

const ASSETS = process.env.STORE_ASSETS_DIR ?? 'assets';
const MODEL = join(ASSETS, 'models/yolox_nano.onnx');
const CLIP = join(ASSETS, 'media/one-by-one-person-detection.mp4');
const FULL: [number, number][] = [[0, 0], [1, 0], [1, 1], [0, 1]];

interface Ev {
  event_type: string;
  zone_id: string | null;
  timestamp: string;
}

describe('a running agent switches to a layout saved on the hub, between frames @integration @footage', function () {
  this.timeout(240_000);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const STORE = `E2E_${tag}`;
  let dir = '';
  before(function () {
    if (!existsSync(MODEL) || !existsSync(CLIP)) {
      console.log(`      skipped: needs ${MODEL} and ${CLIP} (set STORE_ASSETS_DIR)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'e2e-layout-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const layout = (zoneId: string) => ({
    store_id: STORE,
    name: 'E2E',
    zones: [{ zone_id: zoneId, name: zoneId, type: 'display' }],
    cameras: [{ camera_id: 'CAM_1', zones: [{ zone_id: zoneId, polygon: FULL, dwell_ms: 600_000 }] }],
  });

  it('events of the old zone stop at the switch (its open visits closed), the new zone\'s start after it', async () => {
    // The agent's local file and the hub agree on layout A (one full-frame zone Z_A); B replaces it with Z_B.
    writeFileSync(join(dir, 'layout.json'), JSON.stringify({ stores: [layout('Z_A')] }));
    writeFileSync(join(dir, 'cam.json'), JSON.stringify({ store_id: STORE, camera_id: 'CAM_1', source: CLIP, layout: join(dir, 'layout.json'), detector: { model: MODEL, detect_every: 2, threads: 1 } }));
    const hub = await startTestHub();
    const put = (body: unknown) => fetch(`${hub.url}/stores/${STORE}/layout`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put(layout('Z_A'))).status).to.equal(201);
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: `e2e-watch-${tag}`, protocolVersion: 4 });
    const events: Ev[] = [];
    watcher.on('message', (_t, p) => events.push(...(JSON.parse(p.toString()) as Ev[])));
    await watcher.subscribeAsync(cameraTopic(STORE, 'CAM_1', 'events'), { qos: 1 });
    const agent = runTs('agent/main.ts', ['--camera', join(dir, 'cam.json'), '--mqtt', `mqtt://127.0.0.1:${hub.mqttPort}`], {
      STORE_ASSETS_DIR: ASSETS,
      AGENT_SPOOL_DIR: join(dir, 'spool'),
    });
    try {
      // Switch once the old layout has produced an entry, so there is something open to close.
      for (let i = 0; i < 2400 && !events.some((e) => e.event_type === 'ZONE_ENTER' && e.zone_id === 'Z_A'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(events.some((e) => e.zone_id === 'Z_A'), 'layout A produced a zone entry').to.equal(true);
      expect((await put(layout('Z_B'))).status).to.equal(200);
      const isApplied = (l: Record<string, unknown>) => l.event === 'layout_applied';
      const applied = agent.lines.find(isApplied) ?? (await agent.waitFor(isApplied, 120_000));
      const switchTs = applied.frame_ts as number;
      expect((await agent.exited).code).to.equal(0);
      await new Promise((r) => setTimeout(r, 500)); // the last QoS 1 batch reaches the watcher
      const ts = (e: Ev) => Date.parse(e.timestamp);
      const a = events.filter((e) => e.zone_id === 'Z_A');
      const b = events.filter((e) => e.zone_id === 'Z_B');
      expect(a.filter((e) => e.event_type === 'ZONE_ENTER').every((e) => ts(e) < switchTs), 'no Z_A entry after the switch').to.equal(true);
      expect(a.filter((e) => e.event_type === 'ZONE_ENTER').length, 'every Z_A visit closed').to.equal(a.filter((e) => e.event_type === 'ZONE_EXIT').length);
      expect(a.every((e) => ts(e) <= switchTs)).to.equal(true);
      expect(b.filter((e) => e.event_type === 'ZONE_ENTER').length, 'the new zone fires').to.be.greaterThan(0);
      expect(b.every((e) => ts(e) >= switchTs), 'Z_B events only after the switch').to.equal(true);
    } finally {
      if (agent.child.exitCode === null) agent.child.kill('SIGTERM');
      await watcher.endAsync();
      await hub.close();
    }
  });
});
