import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { silentLogger } from '../../common/logger.js';
import { fetchAssets, parseAssetsArgs } from '../../scripts/assets.js';
import { ASSET_SOURCES, REPO_ASSETS_DIR, fetchVerified, findAsset, findModel, gitBlobFile, sha256File, type AssetSource } from '../../scripts/lib/assets.js';
import { runTs } from '../../scripts/lib/child.js';
import { serveFiles } from './serve-files.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const gitBlob = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

const serve = serveFiles;

describe('npm run assets: verified downloads and asset lookup', () => {
  let dir: string;
  const cleanups: (() => unknown)[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'assets-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  const clip = Buffer.from('GIF89a not really a gif, but bytes with a known checksum');
  const sources: AssetSource[] = [{ kind: 'media', name: 'clip.gif', url: 'https://example.invalid/clip.gif', sha256: sha(clip), license: 'test' }];

  it('downloads with checksum verification, then skips what is present without a request', async () => {
    const srv = await serve({ '/media/clip.gif': clip });
    cleanups.push(() => srv.server.close());
    const opts = { dir, baseUrl: srv.url, env: {}, logger: silentLogger(), sources };
    const first = await fetchAssets(opts);
    expect(first.downloaded).to.deep.equal([join(dir, 'media/clip.gif')]);
    expect(readFileSync(join(dir, 'media/clip.gif')).equals(clip)).to.equal(true);
    const second = await fetchAssets(opts);
    expect(second.present).to.deep.equal([join(dir, 'media/clip.gif')]);
    expect(srv.hits).to.deep.equal(['/media/clip.gif']);
  });

  it('rejects a download whose checksum differs and keeps nothing; replaces a corrupt local copy', async () => {
    const srv = await serve({ '/bad': Buffer.from('tampered'), '/good': clip });
    cleanups.push(() => srv.server.close());
    const dest = join(dir, 'media/clip.gif');
    const err = await fetchVerified(`${srv.url}/bad`, dest, sha(clip)).catch((e: Error) => e);
    expect((err as Error).message).to.match(/checksum mismatch .*expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}; the file was not kept/);
    expect(existsSync(dest)).to.equal(false);
    expect(existsSync(`${dest}.part`)).to.equal(false);
    mkdirSync(join(dir, 'media'), { recursive: true });
    writeFileSync(dest, 'half a file');
    expect(await fetchVerified(`${srv.url}/good`, dest, sha(clip))).to.equal('downloaded');
    expect(await sha256File(dest)).to.equal(sha(clip));
  });

  it('names the URL and the HTTP status, or the network failure', async () => {
    const srv = await serve({});
    cleanups.push(() => srv.server.close());
    const e404 = await fetchVerified(`${srv.url}/missing.mp4`, join(dir, 'x'), null).catch((e: Error) => e);
    expect((e404 as Error).message).to.equal(`download of ${srv.url}/missing.mp4 failed: HTTP 404 Not Found`);
    const closed = await serve({});
    await new Promise((r) => closed.server.close(r));
    const eNet = await fetchVerified(`${closed.url}/a`, join(dir, 'y'), null).catch((e: Error) => e);
    expect((eNet as Error).message).to.match(new RegExp(`download of ${closed.url}/a failed: .*ECONNREFUSED`));
  });

  it('finds assets in STORE_ASSETS_DIR first, and says exactly how to get a missing one', () => {
    mkdirSync(join(dir, 'media'), { recursive: true });
    writeFileSync(join(dir, 'media/a.gif'), 'x');
    expect(findAsset('media', 'a.gif', { STORE_ASSETS_DIR: dir })).to.equal(join(dir, 'media/a.gif'));
    expect(() => findAsset('media', 'nope.gif', { STORE_ASSETS_DIR: dir })).to.throw(/missing media\/nope\.gif .*npm run assets.*or set STORE_ASSETS_DIR/);
    expect(() => findAsset('media', 'nope.gif', {})).to.throw(/STORE_ASSETS_DIR is not set/);
    if (!existsSync(join(REPO_ASSETS_DIR, 'models'))) expect(() => findModel({ STORE_ASSETS_DIR: dir })).to.throw(/no detector model \(yolox_nano\.onnx, .*npm run assets/);
  });

  it('fetches the default model from its pinned URL on a stand-in host; larger models only by name, verified by git blob id', async () => {
    const nano = Buffer.from('stand-in for yolox_nano.onnx');
    const small = Buffer.from('stand-in for yolox_s.onnx');
    const base = '/Kazuhito00/YOLOX-ONNX-TFLite-Sample/3d4f1119d0694200671c08069ecb847aa0d8495a/model';
    const srv = await serve({ [`${base}/yolox_nano.onnx`]: nano, [`${base}/yolox_s.onnx`]: small, '/own/best.onnx': small });
    cleanups.push(() => srv.server.close());
    const models: AssetSource[] = ASSET_SOURCES.filter((s) => s.kind === 'models').map((s) =>
      s.name === 'yolox_nano.onnx' ? { ...s, sha256: sha(nano), gitBlob: gitBlob(nano) } : s.name === 'yolox_s.onnx' ? { ...s, gitBlob: gitBlob(small) } : s,
    );
    const opts = { dir, origin: srv.url, env: {}, logger: silentLogger(), sources: models };
    expect((await fetchAssets(opts)).downloaded).to.deep.equal([join(dir, 'models/yolox_nano.onnx')]);
    expect(srv.hits).to.deep.equal([`${base}/yolox_nano.onnx`]);
    const more = await fetchAssets({ ...opts, models: ['yolox_s'] });
    expect(more).to.deep.equal({ present: [join(dir, 'models/yolox_nano.onnx')], downloaded: [join(dir, 'models/yolox_s.onnx')] });
    expect(readFileSync(join(dir, 'models/yolox_s.onnx')).equals(small)).to.equal(true);
    // A git blob id that does not match keeps nothing.
    const wrong = await fetchAssets({ ...opts, sources: models.map((s) => (s.name === 'yolox_tiny.onnx' ? { ...s, url: `https://raw.githubusercontent.com${base}/yolox_s.onnx` } : s)), models: ['yolox_tiny'] }).catch((e: Error) => e);
    expect((wrong as Error).message).to.match(/checksum mismatch .*expected git blob id 65f255c2.*, got [0-9a-f]{40}; the file was not kept/);
    expect(existsSync(join(dir, 'models/yolox_tiny.onnx'))).to.equal(false);
    await expectAsyncThrow(() => fetchAssets({ ...opts, models: ['yolox_xl'] }), /--model yolox_xl: unknown; known models: yolox_nano, yolox_tiny, yolox_s/);
    // The user's own export by flag, verified by the digest given, named after the URL unless --model-name.
    const own = parseAssetsArgs(['--dir', dir, '--only', 'models', '--model-url', `${srv.url}/own/best.onnx`, '--model-git-blob', gitBlob(small)]);
    const ownRun = await fetchAssets({ ...own, origin: srv.url, env: {}, logger: silentLogger(), sources: models });
    expect(ownRun.downloaded).to.deep.equal([join(dir, 'models/best.onnx')]);
  });

  it('names every bad flag', () => {
    expect(() => parseAssetsArgs(['--model-url', 'http://x/m.onnx'])).to.throw(/--model-url needs --model-sha256 or --model-git-blob/);
    expect(() => parseAssetsArgs(['--model-git-blob', 'abc'])).to.throw(/--model-git-blob must be 40 lowercase hex/);
    expect(() => parseAssetsArgs(['--only', 'clips'])).to.throw(/--only must be media or models/);
    expect(() => parseAssetsArgs(['--origin', 'not a url'])).to.throw(/--origin must be a URL/);
    expect(() => parseAssetsArgs(['--bogus'])).to.throw(/bogus/);
  });

  it('its catalogue checksums match the clips the project is tested with', async function () {
    const shared = process.env.STORE_ASSETS_DIR;
    if (!shared) {
      console.log('      skip: STORE_ASSETS_DIR is not set, no reference clips to compare with');
      return this.skip();
    }
    for (const s of ASSET_SOURCES.filter((x) => x.sha256)) expect(await sha256File(join(shared, s.kind, s.name)), s.name).to.equal(s.sha256);
    // The git blob id GitHub lists for the pinned commit's file is the one of the copy here: the hashing is git's.
    expect(await gitBlobFile(join(shared, 'models', 'yolox_nano.onnx'))).to.equal(ASSET_SOURCES.find((x) => x.name === 'yolox_nano.onnx')!.gitBlob);
    for (const s of ASSET_SOURCES) {
      expect(s.url, s.name).to.match(/^https:\/\/raw\.githubusercontent\.com\/(intel-iot-devkit\/sample-videos\/master|Kazuhito00\/YOLOX-ONNX-TFLite-Sample\/[0-9a-f]{40})\//);
      expect(s.sha256 ?? s.gitBlob, s.name).to.match(/^[0-9a-f]{40,64}$/);
    }
  });

  it('the CLI fetches the real model and clips from a mirror (--base-url) into --dir, verified, and skips them the second time', async function () {
    this.timeout(60_000);
    const shared = process.env.STORE_ASSETS_DIR;
    if (!shared) {
      console.log('      skip: STORE_ASSETS_DIR is not set, no clips to serve');
      return this.skip();
    }
    const files: Record<string, Buffer> = {};
    for (const s of ASSET_SOURCES.filter((x) => !x.optional)) files[`/${s.kind}/${s.name}`] = readFileSync(join(shared, s.kind, s.name));
    const srv = await serve(files);
    cleanups.push(() => srv.server.close());
    // STORE_ASSETS_DIR='' in the child: nothing counts as present, so the command really downloads.
    const run = async (args: string[]) => {
      const proc = runTs('scripts/assets.ts', ['--dir', dir, '--base-url', srv.url, ...args], { STORE_ASSETS_DIR: '' });
      const { code } = await proc.exited;
      return { code, done: proc.lines.find((l) => l.event === 'assets_done'), stderr: proc.stderr.join('\n') };
    };
    const first = await run([]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.done, first.stderr).to.include({ downloaded: 5, present: 0 });
    for (const name of Object.keys(files)) expect(await sha256File(join(dir, name))).to.equal(sha(files[name]!));
    const second = await run([]);
    expect(second.done).to.include({ downloaded: 0, present: 5 });
    expect(srv.hits.length).to.equal(5);
    const bad = await run(['--model-url', `${srv.url}/model.onnx`]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--model-url needs --model-sha256 or --model-git-blob/);
  });
});

async function expectAsyncThrow(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  const err = await fn().then(() => undefined, (e: Error) => e);
  expect(err, 'no error').to.be.instanceOf(Error);
  expect(err!.message).to.match(re);
}
