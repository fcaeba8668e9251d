import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import mqtt from 'mqtt';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendKey, createApiKey } from '../../../hub/security/api-keys.js';
import { requiredAccess } from '../../../hub/security/policy.js';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

describe('access policy (pure)', () => {
  it('maps methods and paths to roles and stores', () => {
    expect(requiredAccess('GET', '/health')).to.deep.equal({ open: true });
    expect(requiredAccess('GET', '/')).to.deep.equal({ open: true });
    expect(requiredAccess('POST', '/events/ingest')).to.deep.equal({ open: false, roles: ['ingest', 'admin'], storeId: undefined });
    expect(requiredAccess('GET', '/stores/S%201/metrics')).to.deep.equal({ open: false, roles: ['read', 'admin'], storeId: 'S 1' });
    expect(requiredAccess('PUT', '/stores/S1/layout')).to.deep.equal({ open: false, roles: ['admin'], storeId: 'S1' });
    // The router matches case-insensitively; so does the policy (the router's own id is checked again, store-scope.ts).
    expect(requiredAccess('GET', '/STORES/S1/Metrics/')).to.deep.equal({ open: false, roles: ['read', 'admin'], storeId: 'S1' });
    expect(requiredAccess('DELETE', '/anything')).to.deep.include({ open: false, roles: ['admin'] });
  });
});

describe('API keys on a running hub', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'keys-'));
  const file = join(dir, 'keys.json');
  let hub: TestHub;
  const keys: Record<string, string> = {};

  before(async () => {
    for (const [name, role, stores] of [
      ['ingest-a', 'ingest', ['STORE_A']],
      ['read-a', 'read', ['STORE_A']],
      ['admin', 'admin', undefined],
    ] as const) {
      const { key, entry } = await createApiKey({ name, role, stores: stores ? [...stores] : undefined });
      appendKey(file, entry);
      keys[name] = key;
    }
    hub = await startTestHub({ HUB_API_KEYS_FILE: file });
  });
  after(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (k: string) => ({ authorization: `Bearer ${k}` });

  it('stores only hashes in the file', () => {
    const text = readFileSync(file, 'utf8');
    for (const k of Object.values(keys)) {
      const secret = /^sik_[a-z0-9]+_(.+)$/.exec(k)![1]!;
      expect(secret.length).to.be.greaterThan(20);
      expect(text).to.not.include(secret);
    }
    expect(text).to.match(/scrypt\$/);
  });

  it('answers 401 without a key or with a wrong one, with a reason', async () => {
    let res = await hub.post('/events/ingest', { events: [makeEvent({ store_id: 'STORE_A' })] });
    expect(res.status).to.equal(401);
    expect((await res.json()).error.message).to.match(/API key is required/);
    res = await hub.post('/events/ingest', { events: [] }, auth('sik_0000000000aa_notarealsecretnotarealsecret'));
    expect(res.status).to.equal(401);
    expect((await res.json()).error.message).to.match(/not recognised/);
  });

  it('answers 403 for a key of the wrong role or store', async () => {
    let res = await hub.post('/events/ingest', { events: [] }, auth(keys['read-a']!));
    expect(res.status).to.equal(403);
    expect((await res.json()).error.message).to.match(/role "read"/);
    res = await fetch(`${hub.url}/stores/STORE_B/metrics`, { headers: auth(keys['read-a']!) });
    expect(res.status).to.equal(403);
    expect((await res.json()).error.message).to.match(/not allowed for store STORE_B/);
  });

  it('lets an ingest key store its own store\'s events and rejects other stores per event', async () => {
    const res = await hub.post('/events/ingest', { events: [makeEvent({ store_id: 'STORE_A' }), makeEvent({ store_id: 'STORE_B' })] }, { 'x-api-key': keys['ingest-a']! });
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body.inserted).to.equal(1);
    expect(body.errors).to.deep.equal([{ index: 1, event_id: body.errors[0].event_id, field: 'store_id', reason: 'this API key may not send events for store STORE_B' }]);
  });

  it('keeps /health open but names no store without a key', async () => {
    const anon = await (await fetch(`${hub.url}/health`)).json();
    expect(anon).to.have.keys(['status', 'db', 'store_count', 'warning_count']);
    expect(JSON.stringify(anon)).to.not.include('STORE_A');
    const admin = await (await fetch(`${hub.url}/health`, { headers: auth(keys.admin!) })).json();
    expect(admin.stores).to.have.property('STORE_A');
  });

  it('sends security headers and no CORS headers by default', async () => {
    const res = await fetch(`${hub.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('content-security-policy')).to.include("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('npm run apikey:add adds a key that works without a restart and prints it once', async () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'hub/cli/apikey-add.ts', '--name', 'late', '--role', 'admin', '--file', file], { encoding: 'utf8' });
    const key = /key \(shown once, store it now\): (\S+)/.exec(out)![1]!;
    await new Promise((r) => setTimeout(r, 2100)); // the keyring re-checks the file's mtime at most every 2 s
    const res = await fetch(`${hub.url}/stores/STORE_A/anything`, { headers: auth(key) });
    expect(res.status).to.equal(404); // authorised, no such route
  });

  it('apikey:add refuses a bad role with a usage line', () => {
    let err = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'hub/cli/apikey-add.ts', '--name', 'x', '--role', 'root', '--file', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).to.match(/--role/).and.match(/usage:/);
  });
});

describe('rate limits, CORS and event-time rules', function () {
  this.timeout(30_000);

  it('answers 429 with Retry-After once an IP has used its burst', async () => {
    const hub = await startTestHub({ RATE_LIMIT_IP_PER_MIN: '60', RATE_LIMIT_IP_BURST: '3' });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await hub.post('/events/ingest', { events: [] });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
        await res.body?.cancel();
      }
      expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).to.be.within(1, 2);
      expect((await fetch(`${hub.url}/health`)).status).to.equal(200); // reads are not limited
    } finally {
      await hub.close();
    }
  });

  it('keys the per-IP limit on the socket address unless HUB_TRUST_PROXY is set', async () => {
    const run = async (env: Record<string, string>) => {
      const hub = await startTestHub({ RATE_LIMIT_IP_PER_MIN: '60', RATE_LIMIT_IP_BURST: '3', ...env });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await hub.post('/events/ingest', { events: [] }, { 'x-forwarded-for': `10.0.0.${i}` });
          statuses.push(res.status);
          await res.body?.cancel();
        }
        return statuses;
      } finally {
        await hub.close();
      }
    };
    expect(await run({})).to.deep.equal([200, 200, 200, 429, 429]); // a rotating header changes nothing
    expect(await run({ HUB_TRUST_PROXY: 'true' })).to.deep.equal([200, 200, 200, 200, 200]); // behind a proxy: its header
  });

  it('allows only the configured CORS origins', async () => {
    const hub = await startTestHub({ HUB_CORS_ORIGINS: 'https://hq.example.com' });
    try {
      const ok = await fetch(`${hub.url}/events/ingest`, { method: 'OPTIONS', headers: { origin: 'https://hq.example.com', 'access-control-request-method': 'POST' } });
      expect(ok.status).to.equal(204);
      expect(ok.headers.get('access-control-allow-origin')).to.equal('https://hq.example.com');
      const no = await fetch(`${hub.url}/events/ingest`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
      expect(no.status).to.equal(403);
    } finally {
      await hub.close();
    }
  });

  it('rejects events too far in the future (MAX_FUTURE_SKEW_MIN) or too old (MAX_EVENT_AGE_DAYS), per event', async () => {
    const hub = await startTestHub({ MAX_FUTURE_SKEW_MIN: '60', MAX_EVENT_AGE_DAYS: '30' });
    try {
      const now = Date.now();
      const events = [
        makeEvent({ timestamp: new Date(now + 30 * 60_000).toISOString() }),
        makeEvent({ timestamp: new Date(now + 90 * 60_000).toISOString() }),
        makeEvent({ timestamp: new Date(now - 40 * 86_400_000).toISOString() }),
      ];
      const body = await (await hub.post('/events/ingest', { events })).json();
      expect(body.inserted).to.equal(1);
      expect(body.errors.map((e: { index: number; field: string; reason: string }) => [e.index, e.field, /MAX_\w+/.exec(e.reason)![0]])).to.deep.equal([
        [1, 'timestamp', 'MAX_FUTURE_SKEW_MIN'],
        [2, 'timestamp', 'MAX_EVENT_AGE_DAYS'],
      ]);
    } finally {
      await hub.close();
    }
  });
});

describe('TLS (HUB_TLS_CERT / HUB_TLS_KEY)', function () {
  this.timeout(30_000);

  it('serves HTTPS with the given certificate', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    } catch {
      console.log('      skipped: openssl is not installed, so no test certificate can be made');
      this.skip();
    }
    const hub = await startTestHub({ HUB_TLS_CERT: join(dir, 'cert.pem'), HUB_TLS_KEY: join(dir, 'key.pem') });
    try {
      const body = await new Promise<{ status: number; hsts: string | undefined; json: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: hub.httpPort, path: '/health', ca: readFileSync(join(dir, 'cert.pem')) }, (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode!, hsts: res.headers['strict-transport-security'] as string | undefined, json: data }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body.status).to.equal(200);
      expect(JSON.parse(body.json).status).to.equal('healthy');
      expect(body.hsts).to.match(/max-age=/);

      // MQTTS on the embedded broker with the same files: a publish over TLS is stored, plain MQTT gets nowhere.
      const ca = readFileSync(join(dir, 'cert.pem'));
      const secure = await mqtt.connectAsync(`mqtts://127.0.0.1:${hub.mqttPort}`, { ca, protocolVersion: 4, reconnectPeriod: 0 });
      const e = makeEvent();
      await secure.publishAsync(`store/${e.store_id}/camera/${e.camera_id}/events`, JSON.stringify([e]), { qos: 1 });
      await secure.endAsync();
      expect(await hub.hub.repos.events.count()).to.equal(1);
      const plain = mqtt.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 });
      const connected = await new Promise<boolean>((resolve) => {
        plain.once('connect', () => resolve(true));
        plain.once('close', () => resolve(false));
        plain.once('error', () => resolve(false));
      });
      plain.end(true);
      expect(connected, 'plain MQTT must not reach a TLS-only broker').to.equal(false);
    } finally {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
