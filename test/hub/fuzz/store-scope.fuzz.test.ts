import { expect } from 'chai';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendKey, createApiKey } from '../../../hub/security/api-keys.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const suffix = randomBytes(3).toString('hex').toUpperCase();
const A = `FZ_A_${suffix}`;
const B = `FZ_B_${suffix}`;

/** One character of a path, spelled any way the router may still accept: as is, other case, percent-encoded. */
const spelled = (c: string) =>
  fc.constantFrom(c, c.toUpperCase(), c.toLowerCase(), `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const spell = (s: string, keepSlashes: boolean) =>
  fc.tuple(...[...s].map((c) => (keepSlashes && c === '/' ? fc.constant(c) : spelled(c)))).map((parts) => parts.join(''));

describe('store scope under fuzzing (random case and encoding of every /stores/:id route, scoped keys)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'scopefz-'));
  const file = join(dir, 'keys.json');
  const keys: Record<string, string> = {};
  let hub: TestHub;

  before(async () => {
    for (const [name, role, stores] of [['read', 'read', [A]], ['ingest', 'ingest', [A]], ['admin', 'admin', [A]], ['root', 'admin', undefined]] as const) {
      const { key, entry } = await createApiKey({ name, role, stores: stores ? [...stores] : undefined });
      appendKey(file, entry);
      keys[name] = key;
    }
    hub = await startTestHub({ HUB_API_KEYS_FILE: file, RATE_LIMIT_IP_BURST: '100000' });
    const layout = JSON.parse(readFileSync('data/store_layout.json', 'utf8')).stores[0];
    const put = await fetch(`${hub.url}/stores/${B}/layout`, {
      method: 'PUT', headers: { authorization: `Bearer ${keys.root}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...layout, store_id: B }),
    });
    expect(put.status).to.equal(201);
  });
  after(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every spelling of another store\'s route with 4xx', async () => {
    const routes = hub.hub.routes.filter((r) => r.path.startsWith('/stores/:id'));
    const variant = fc.constantFrom(...routes).chain((r) => {
      const [, tail] = r.path.split(':id');
      return fc.record({
        method: fc.constant(r.method),
        prefix: spell('/stores/', true),
        id: spell(B, false),
        tail: spell(tail!.replace(/:(\w+)/g, 'CAM_ENTRY_01'), true),
        slash: fc.constantFrom('', '/'),
      });
    });
    await fc.assert(
      fc.asyncProperty(variant, async ({ method, prefix, id, tail, slash }) => {
        const path = `${prefix}${id}${tail}${slash}`;
        const ac = new AbortController();
        const key = keys[method === 'GET' ? 'read' : method === 'POST' ? 'ingest' : 'admin'];
        const res = await fetch(`${hub.url}${path}`, {
          method, signal: ac.signal, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : method === 'PUT' ? '{}' : '[]',
        });
        ac.abort();
        expect(res.status, `${method} ${path}`).to.be.within(400, 499);
      }),
      { numRuns: 200 },
    );
  });
});
