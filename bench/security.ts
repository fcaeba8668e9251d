/**
 * npm run bench:security
 *
 * What the hostile requests of the second security review cost the hub now, each against a ceiling measured in
 * the same run:
 *  - login cost: median time to refuse an unknown key id and a known id with a wrong secret (keyring alone);
 *    the ratio should be ~1 (no oracle). Then 400 bad attempts over HTTP from one IP, on one key id and on 400 ids:
 *    CPU spent, against the scrypt verifications the throttle allows per minute (10 per IP and id, 100 per IP).
 *  - POS: a JSON array of 1.3 M empty objects (4 MB) → time to 413 and a concurrent /health's latency, against
 *    JSON.parse of the same body (the work no check can avoid).
 *  - MQTT: a PUBLISH declaring 200 MB, its body sent until the broker closes the connection: bytes accepted and
 *    hub RSS growth, against MQTT_MAX_PAYLOAD_BYTES.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../common/logger.js';
import { startHub } from '../hub/app.js';
import { loadHubConfig } from '../hub/config.js';
import { appendKey, createApiKey, createKeyring } from '../hub/security/api-keys.js';
import { createLoginGuard } from '../hub/security/login-guard.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const f1 = (x: number) => x.toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'bench-sec-'));
const file = join(dir, 'keys.json');
const { key, entry } = await createApiKey({ name: 'bench', role: 'admin' });
appendKey(file, entry);
console.log(`load average ${loadavg().map(f1).join(' ')} (2 cores, shared)`);

// 1. Login cost, keyring alone (no throttle, so every attempt runs).
const ring = createKeyring(file, { guard: createLoginGuard({ perPair: 1e9, perIp: 1e9, perAccount: 1e9, windowMs: 1 }) });
const unknown: number[] = [];
const wrong: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < 15; i++) {
  let t = process.hrtime.bigint();
  await ring.verify(`sik_0000000000${String(i).padStart(2, '0')}_notarealsecretnotarealsecret`, { ip: 'x' });
  unknown.push(ms(t));
  t = process.hrtime.bigint();
  await ring.verify(`${key.slice(0, -4)}zzzz`, { ip: 'x' });
  wrong.push(ms(t));
}
const scryptCpu = ((c) => (c.user + c.system) / 1000 / 30)(process.cpuUsage(cpuBefore)); // CPU ms per verification
console.log(`login: unknown id ${f1(median(unknown))} ms, known id + wrong secret ${f1(median(wrong))} ms, ratio ${(median(unknown) / median(wrong)).toFixed(2)} (1.00 = no oracle)`);

const hub = await startHub(loadHubConfig({ HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', HUB_MQTT_PORT: '0', HUB_MQTT_HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', HUB_API_KEYS_FILE: file }), { logger: silentLogger() });
const url = `http://127.0.0.1:${hub.httpPort}`;
try {
  // 400 bad attempts on one key id (stopped per IP and id), then 400 on 400 different ids (stopped per IP).
  for (const [label, allowed, keyOf] of [
    ['400 bad secrets for one key id', 10, () => `${key.slice(0, -4)}zzzz`],
    ['400 bad keys, each a new id', 100, (i: number) => `sik_00000000${String(i).padStart(4, '0')}_notarealsecretnotarealsecret`],
  ] as const) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let limited = 0;
    for (let i = 0; i < 400; i++) {
      const res = await fetch(`${url}/stores`, { headers: { authorization: `Bearer ${keyOf(i)}`, 'x-trace-id': label.slice(0, 3) } });
      if (res.status === 429) limited++;
      await res.body?.cancel();
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const ceiling = allowed * scryptCpu;
    console.log(`${label}, one IP: ${f1(ms(t0))} ms wall, ${f1(cpuMs)} ms CPU (client included), ${limited} answered 429; ceiling ${allowed} scrypt = ${f1(ceiling)} ms CPU, ratio ${(cpuMs / ceiling).toFixed(2)}`);
  }
} finally {
  await hub.close();
}
// A second hub without keys: the throttle above now holds this process's IP on the first one.
const hub2 = await startHub(loadHubConfig({ HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', HUB_MQTT_PORT: '0', HUB_MQTT_HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' }), { logger: silentLogger() });
const url2 = `http://127.0.0.1:${hub2.httpPort}`;
try {
  const body = `[${Array(1_300_000).fill('{}').join(',')}]`;
  let t = process.hrtime.bigint();
  JSON.parse(body);
  const parseMs = ms(t);
  t = process.hrtime.bigint();
  const pos = fetch(`${url2}/stores/STORE_BLR_002/pos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const tH = process.hrtime.bigint();
  const health = fetch(`${url2}/health`).then((r) => (r.body?.cancel(), ms(tH)));
  const res = await pos;
  const posMs = ms(t);
  console.log(`POS 1.3 M rows (${(body.length / 1e6).toFixed(1)} MB): ${res.status} in ${f1(posMs)} ms, /health meanwhile ${f1(await health)} ms; ceiling JSON.parse ${f1(parseMs)} ms, ratio ${(posMs / parseMs).toFixed(2)}`);
  await res.body?.cancel();

  // 3. MQTT: a PUBLISH declaring 200 MB (the client and hub share this process, so RSS covers both; sent data is reused).
  const rss0 = process.memoryUsage().rss;
  const sock = net.connect(hub2.mqttPort!, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const id = Buffer.from('bench-big');
  const connectBody = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, id.length]), id]);
  sock.write(Buffer.concat([Buffer.from([0x10, connectBody.length]), connectBody]));
  sock.on('error', () => undefined);
  let sent = 0;
  let open = true;
  sock.once('close', () => (open = false));
  sock.write(Buffer.from([0x30, 0x80, 0x80, 0xe4, 0x5f]));
  const chunk = Buffer.alloc(1024 * 1024, 0x7b);
  while (open && sent < 200 * 1024 * 1024) {
    if (!sock.write(chunk)) await new Promise((r) => (sock.once('drain', r), sock.once('close', r)));
    sent += chunk.length;
  }
  const grew = (process.memoryUsage().rss - rss0) / 1e6;
  console.log(`MQTT PUBLISH declaring 200 MB: connection ${open ? 'still open' : 'closed'} after ${f1(sent / 1e6)} MB written by the client, hub RSS +${f1(grew)} MB; ceiling MQTT_MAX_PAYLOAD_BYTES ${f1(4 * 1024 * 1024 / 1e6)} MB, ratio ${(grew / (4 * 1024 * 1024 / 1e6)).toFixed(2)}`);
  sock.destroy();
} finally {
  await hub2.close();
  rmSync(dir, { recursive: true, force: true });
}
