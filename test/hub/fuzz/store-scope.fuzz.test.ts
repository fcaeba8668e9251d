import { expect } from 'chai';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { useScopedHub } from '../../helpers/scoped-hub.js';

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
  const scoped = useScopedHub(A, [B]);
  const hubOf = () => scoped.current.hub;

  it('answers every spelling of another store\'s route with 4xx', async () => {
    const routes = hubOf().hub.routes.filter((r) => r.path.startsWith('/stores/:id'));
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
        const key = scoped.current.keys[method === 'GET' ? 'read' : method === 'POST' ? 'ingest' : 'admin'];
        const res = await fetch(`${hubOf().url}${path}`, {
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
