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

  it('blocks an (IP, account) pair first, an IP or an account only after many more failures (fake clock)', () => {
    let now = 0;
    const g = createLoginGuard({ perPair: 3, perIp: 6, perAccount: 6, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) g.fail('1', 'cam_bad');
    expect(g.blockedFor('1', 'cam_bad')).to.equal(60);
    expect(g.blockedFor('1', 'cam_ok')).to.equal(0); // a sibling behind the same NAT still logs in
    expect(g.blockedFor('2', 'cam_bad')).to.equal(0);
    for (let i = 0; i < 3; i++) g.fail('1', `spray${i}`);
    expect(g.blockedFor('1', 'cam_ok')).to.equal(60); // six failures from one IP: the IP waits
    for (let i = 0; i < 3; i++) g.fail(`ip${i}`, 'cam_bad');
    expect(g.blockedFor('9', 'cam_bad')).to.equal(60); // six against one account, from anywhere
    now = 60_000;
    expect(g.blockedFor('1', 'cam_bad')).to.equal(0);
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

  it('answers 429 with Retry-After once a caller has failed ten times on one key id, without checking it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-'));
    const file = join(dir, 'keys.json');
    const { key, entry } = await createApiKey({ name: 'ok', role: 'read' });
    appendKey(file, entry);
    const hub = await startTestHub({ HUB_API_KEYS_FILE: file });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await fetch(`${hub.url}/stores`, { headers: { authorization: `Bearer ${key.slice(0, -4)}zzzz` } });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
      }
      expect(statuses).to.deep.equal([...Array(10).fill(401), 429]);
      // Even the right key waits for the rest of the minute from this caller.
      expect((await fetch(`${hub.url}/stores`, { headers: { authorization: `Bearer ${key}` } })).status).to.equal(429);
    } finally {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
