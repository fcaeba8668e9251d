import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendKey, createApiKey, createKeyring } from '../../../hub/security/api-keys.js';
import { createLoginGuard, verifyConstantCost } from '../../../hub/security/login-guard.js';
import { verifyPassword } from '../../../hub/transport/users.js';
import { startTestHub } from '../../helpers/hub.js';

describe('hub/security/login-guard', function () {
  this.timeout(30_000);

  it('blocks a key after maxFailures failures until its window ends (fake clock)', () => {
    let now = 0;
    const g = createLoginGuard({ maxFailures: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) g.fail(['ip:1', 'user:u']);
    expect(g.blockedFor(['ip:1'])).to.equal(60);
    expect(g.blockedFor(['ip:2', 'user:u'])).to.equal(60);
    expect(g.blockedFor(['ip:2', 'user:v'])).to.equal(0);
    now = 60_000;
    expect(g.blockedFor(['ip:1', 'user:u'])).to.equal(0);
  });

  it('costs an unknown account one full verification, like a known one with a wrong secret', async () => {
    let calls = 0;
    const spy: typeof verifyPassword = (pw, hash) => (calls++, verifyPassword(pw, hash));
    expect(await verifyConstantCost('guess', undefined, spy)).to.equal(false);
    expect(calls).to.equal(1);
    const dir = mkdtempSync(join(tmpdir(), 'lg-'));
    try {
      const file = join(dir, 'keys.json');
      const { key, entry } = await createApiKey({ name: 'k', role: 'read' });
      appendKey(file, entry);
      const ring = createKeyring(file, { verify: spy });
      calls = 0;
      expect(await ring.verify('sik_0000000000aa_notarealsecretnotarealsecret', { ip: 'a' })).to.equal(null); // unknown id
      expect(await ring.verify(`${key.slice(0, -3)}xyz`, { ip: 'a' })).to.equal(null); // known id, wrong secret
      expect(calls).to.equal(2);
      expect(await ring.verify(key, { ip: 'b' })).to.deep.include({ name: 'k' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 429 with Retry-After once an IP has failed ten times, without checking the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-'));
    const file = join(dir, 'keys.json');
    const { key, entry } = await createApiKey({ name: 'ok', role: 'read' });
    appendKey(file, entry);
    const hub = await startTestHub({ HUB_API_KEYS_FILE: file });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await fetch(`${hub.url}/stores`, { headers: { authorization: `Bearer sik_0000000000a${i % 10}_notarealsecretnotarealsecret` } });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
      }
      expect(statuses).to.deep.equal([...Array(10).fill(401), 429]);
      // Even the right key waits: the caller, not the key, is throttled.
      expect((await fetch(`${hub.url}/stores`, { headers: { authorization: `Bearer ${key}` } })).status).to.equal(429);
    } finally {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
