import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { makeEvent } from '../../fixtures/events.js';
import { sampleLayout, useScopedHub } from '../../helpers/scoped-hub.js';

const suffix = randomBytes(3).toString('hex').toUpperCase();
const A = `SCOPE_A_${suffix}`;
const B = `SCOPE_B_${suffix}`;

/** Every way of spelling a route the router still matches (or nearly matches) with store `id` in it. */
function spellings(pattern: string, id: string, cam = 'CAM_ENTRY_01'): string[] {
  const fill = (p: string, storeSeg: string) => p.replace(':id', storeSeg).replace(/:(\w+)/g, cam);
  const plain = fill(pattern, id);
  const upperLiterals = fill(pattern.replace(/[a-z]+/g, (w) => (w === 'id' || w === 'cam' ? w : w.toUpperCase())), id);
  const encoded = [...id].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
  return [
    plain.replace('/stores/', '/STORES/'),
    plain.replace('/stores/', '/Stores/'),
    upperLiterals,
    `${plain}/`,
    `${upperLiterals}/`,
    fill(pattern, encoded),
    fill(pattern, encoded).replace('/stores/', '/sToReS/'),
    fill(pattern, id.toLowerCase()),
    `/${plain}`,
    plain.replace('/stores/', '/stores//'),
    fill(pattern, `${A}/../${id}`),
    fill(pattern, `${A}%2F..%2F${id}`),
    `/x/..${plain}`,
    `${plain}?store=${A}`,
  ];
}

describe('store scope holds for every spelling of every /stores/:id route', function () {
  this.timeout(60_000);
  const scoped = useScopedHub(A, [A, B]);
  const hubOf = () => scoped.current.hub;

  const keyFor = (method: string) => scoped.current.keys[method === 'GET' ? 'read' : method === 'POST' ? 'ingest' : 'admin'];
  const bodyFor = (method: string, path: string, id: string) =>
    method === 'PUT' ? JSON.stringify(sampleLayout(id, 'HIJACKED')) : method === 'POST' && /pos/i.test(path) ? '[]' : undefined;

  async function call(method: string, path: string, id: string): Promise<number> {
    const ac = new AbortController();
    const res = await fetch(`${hubOf().url}${path}`, {
      method, signal: ac.signal, body: bodyFor(method, path, id),
      headers: { authorization: `Bearer ${keyFor(method)}`, 'content-type': 'application/json' },
    });
    ac.abort(); // SSE streams stay open
    return res.status;
  }

  it('lets a scoped key reach its own store (the control)', async () => {
    const routes = hubOf().hub.routes.filter((r) => r.path.startsWith('/stores/:id'));
    expect(routes.length).to.be.greaterThan(8);
    for (const r of routes) {
      const status = await call(r.method, r.path.replace(':id', A).replace(/:(\w+)/g, 'CAM_ENTRY_01'), A);
      expect(status, `${r.method} ${r.path}`).to.not.equal(403);
    }
  });

  it('never lets it reach another store, however the path is spelled', async () => {
    const leaks: string[] = [];
    for (const r of hubOf().hub.routes.filter((x) => x.path.startsWith('/stores/:id'))) {
      for (const path of spellings(r.path, B)) {
        const status = await call(r.method, path, B);
        if (status < 300) leaks.push(`${r.method} ${path} → ${status}`);
      }
    }
    expect(leaks).to.deep.equal([]);
    const layout = await (await fetch(`${hubOf().url}/stores/${B}/layout`, { headers: { authorization: `Bearer ${scoped.current.keys.root}` } })).json();
    expect(layout.name).to.equal(`original ${B}`);
  });

  it('rejects another store\'s events on every spelling of /events/ingest', async () => {
    for (const path of ['/events/ingest', '/EVENTS/INGEST', '/Events/Ingest/', '/events/%69ngest']) {
      const res = await hubOf().post(path, { events: [makeEvent({ store_id: B })] }, { authorization: `Bearer ${scoped.current.keys.ingest}` });
      const body = await res.json();
      expect(res.status >= 400 || body.inserted === 0, `${path} → ${res.status} ${JSON.stringify(body)}`).to.equal(true);
    }
  });

  it('lists only the stores of the key on GET /stores, in any spelling', async () => {
    for (const path of ['/stores', '/STORES', '/stores/']) {
      const body = await (await fetch(`${hubOf().url}${path}`, { headers: { authorization: `Bearer ${scoped.current.keys.read}` } })).json();
      expect(body.stores.map((s: { store_id: string }) => s.store_id), path).to.deep.equal([A]);
    }
    const all = await (await fetch(`${hubOf().url}/stores`, { headers: { authorization: `Bearer ${scoped.current.keys.root}` } })).json();
    expect(all.stores.map((s: { store_id: string }) => s.store_id)).to.include.members([A, B]);
  });

  it('names every store-bound route parameter :id, so the scope check sees it', () => {
    for (const r of hubOf().hub.routes) {
      if (/^\/stores\/:/i.test(r.path)) expect(r.path, r.path).to.match(/^\/stores\/:id(\/|$)/);
    }
  });
});
