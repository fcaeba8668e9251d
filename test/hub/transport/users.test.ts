import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, loadUsersFile, verifyPassword } from '../../../hub/transport/users.js';
import { clientIdClashes, mayPublish, mayRetain, maySubscribe, mayUseClientId, STATUS_MAX_BYTES } from '../../../hub/transport/acl.js';
import { loadMqttTransportConfig } from '../../../hub/transport/config.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('hub/transport/users, acl and config', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const [h1, h2] = [await hashPassword('s3cret'), await hashPassword('s3cret')];
    expect(h1).to.match(/^scrypt\$16384\$8\$1\$/).and.not.equal(h2);
    expect(await verifyPassword('s3cret', h1)).to.equal(true);
    expect(await verifyPassword('s3creT', h1)).to.equal(false);
    expect(await verifyPassword('s3cret', 'plain')).to.equal(false);
  });

  it('loads a users file and names the file and the bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'users-'));
    try {
      const f = join(dir, 'u.json');
      writeFileSync(f, JSON.stringify({ cam1: { password_hash: 'x', store_id: 'S1', camera_ids: [] } }));
      expect(messageOf(() => loadUsersFile(f))).to.match(/u\.json.*cam1\.password_hash: must be scrypt/).and.match(/cam1\.camera_ids/);
      writeFileSync(f, '{oops');
      expect(() => loadUsersFile(f)).to.throw(/MQTT_USERS_FILE .*u\.json: cannot read JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets a login publish only to its own store and cameras', () => {
    const user = { password_hash: '', store_id: 'STORE_A', camera_ids: ['CAM_1'] };
    expect(mayPublish(user, 'store/STORE_A/camera/CAM_1/events').ok).to.equal(true);
    expect(mayPublish(user, 'store/STORE_A/camera/CAM_1/status').ok).to.equal(true);
    expect(mayPublish(user, 'store/STORE_B/camera/CAM_1/events')).to.deep.include({ ok: false });
    // Appearance signatures follow the same per-store, per-camera rule.
    expect(mayPublish(user, 'store/STORE_A/camera/CAM_1/signatures').ok).to.equal(true);
    expect(mayPublish(user, 'store/STORE_B/camera/CAM_1/signatures')).to.deep.include({ ok: false });
    expect(mayPublish(user, 'store/STORE_A/camera/CAM_2/events')).to.deep.include({ ok: false });
    expect(mayPublish(user, 'other/topic')).to.deep.include({ ok: false });
    expect(mayPublish({ ...user, camera_ids: ['*'] }, 'store/STORE_A/camera/CAM_9/events').ok).to.equal(true);
    expect(maySubscribe(user, 'store/STORE_A/camera/+/status')).to.equal(true);
    expect(maySubscribe(user, 'store/+/camera/+/events')).to.equal(false);
    expect(maySubscribe(user, '#')).to.equal(false);
    expect(mayPublish(user, 'store/STORE_A/camera/CAM_1/config')).to.deep.include({ ok: false }); // not an agent's to write
  });

  it('keeps agent client ids to their store\'s logins and retains only bounded status heartbeats', () => {
    const user = { password_hash: '', store_id: 'STORE_A', camera_ids: ['CAM_1'] };
    expect(mayUseClientId(user, 'agent-STORE_A-CAM_1')).to.equal(true);
    expect(mayUseClientId(user, 'agent-STORE_B-CAM_1')).to.equal(false);
    expect(mayUseClientId(user, 'agent-STORE_A-CAM_2')).to.equal(false); // not among its cameras
    expect(mayUseClientId({ ...user, camera_ids: ['*'] }, 'agent-STORE_A-CAM_2')).to.equal(true);
    expect(mayUseClientId(user, 'dashboard-tool')).to.equal(true);
    // Store ids may hold '-': agent-S-X-… is store S-X's when S-X has logins, not a camera "X-…" of store S.
    const storeS = { password_hash: '', store_id: 'S', camera_ids: ['*'] };
    expect(mayUseClientId(storeS, 'agent-S-X-CAM_1', ['S', 'S-X'])).to.equal(false);
    expect(mayUseClientId(storeS, 'agent-S-X-CAM_1', ['S'])).to.equal(true); // no store S-X: camera X-CAM_1 of S
    expect(mayUseClientId({ password_hash: '', store_id: 'S-X', camera_ids: ['CAM_1'] }, 'agent-S-X-CAM_1', ['S', 'S-X'])).to.equal(true);
    expect(mayUseClientId({ ...storeS, camera_ids: ['X-CAM_1'] }, 'agent-S-X-CAM_1', ['S', 'S-X'])).to.equal(false);
    // That last agent can never connect: the clash is listed at start.
    expect(clientIdClashes({ s: { ...storeS, camera_ids: ['X-CAM_1', 'CAM_2'] }, sx: { password_hash: '', store_id: 'S-X', camera_ids: ['*'] } }))
      .to.deep.equal([{ username: 's', clientId: 'agent-S-X-CAM_1', owner: 'S-X' }]);
    expect(clientIdClashes({ a: user, sx: { password_hash: '', store_id: 'S-X', camera_ids: ['*'] } })).to.deep.equal([]);
    expect(mayRetain('store/S/camera/C/status', 200).ok).to.equal(true);
    expect(mayRetain('store/S/camera/C/status', STATUS_MAX_BYTES + 1).ok).to.equal(false);
    expect(mayRetain('store/S/camera/C/events', 10).ok).to.equal(false);
    expect(mayRetain('anything/else', 1).ok).to.equal(false);
  });

  it('reads the MQTT environment with defaults and names every bad variable', () => {
    const c = loadMqttTransportConfig({});
    expect(c.embedded).to.deep.equal({ port: 1883, host: '0.0.0.0', tls: null });
    expect(c.external).to.equal(null);
    const e = loadMqttTransportConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_CLIENT_ID: 'hub-1' });
    expect(e.embedded).to.equal(null);
    expect(e.external).to.deep.include({ clientId: 'hub-1', sharedGroup: 'hub' });
    expect(messageOf(() => loadMqttTransportConfig({ HUB_MQTT_PORT: '70000', MQTT_URL: 'http://x', MQTT_SHARED_GROUP: 'a/b' })))
      .to.match(/HUB_MQTT_PORT/).and.match(/MQTT_URL/).and.match(/MQTT_SHARED_GROUP/);
    expect(() => loadMqttTransportConfig({ MQTT_URL: 'mqtt://x', MQTT_USERS_FILE: 'u.json' })).to.throw(/MQTT_USERS_FILE applies to the embedded broker only/);
  });
});
