import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEvent } from '../fixtures/events.js';
import { runTs } from '../../scripts/lib/child.js';

describe('npm run hub (real process)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'hub-main-'));
  const started: ReturnType<typeof runTs>[] = [];
  const run = (env: Record<string, string>) => {
    const p = runTs('hub/main.ts', [], env);
    started.push(p);
    return p;
  };
  // A failed assertion must not leave a hub running: kill whatever a test started.
  afterEach(() => started.splice(0).forEach((p) => p.child.exitCode === null && p.child.kill('SIGKILL')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on port 0, logs hub_listening with the real port, keeps data across a restart, stops on SIGTERM', async () => {
    const env = { HUB_HTTP_PORT: '0', HUB_MQTT_PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'store.db')}` };
    const events = Array.from({ length: 20 }, () => makeEvent());

    let hub = run(env);
    let listening = await hub.waitFor((l) => l.event === 'hub_listening');
    expect(listening.http_port).to.be.a('number').and.greaterThan(0);
    let res = await fetch(`http://127.0.0.1:${listening.http_port}/events/ingest`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }),
    });
    expect((await res.json()).inserted).to.equal(20);
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).to.equal(0);
    expect(hub.lines.some((l) => l.event === 'hub_stopped')).to.equal(true);

    hub = run(env);
    listening = await hub.waitFor((l) => l.event === 'hub_listening');
    res = await fetch(`http://127.0.0.1:${listening.http_port}/events/ingest`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }),
    });
    expect(await res.json()).to.deep.include({ inserted: 0, duplicates: 20 });
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).to.equal(0);
  });

  it('exits 1 naming every bad variable', async () => {
    const hub = run({ HUB_HTTP_PORT: 'eighty', STALE_FEED_MINUTES: '-3', LOG_LEVEL: 'info' });
    const { code } = await hub.exited;
    expect(code).to.equal(1);
    const err = hub.stderr.join('\n');
    expect(err).to.match(/HUB_HTTP_PORT/).and.match(/STALE_FEED_MINUTES/);
  });

  it('exits 1 with a clear message for an unknown DATABASE_URL scheme', async () => {
    const hub = run({ HUB_HTTP_PORT: '0', HUB_MQTT_PORT: '0', DATABASE_URL: 'mysql://x' });
    expect((await hub.exited).code).to.equal(1);
    expect(hub.stderr.join('\n')).to.match(/DATABASE_URL must start with sqlite: or postgres:\/\//);
  });
});
