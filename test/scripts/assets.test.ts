import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { silentLogger } from '../../common/logger.js';
import { fetchAssets } from '../../scripts/assets.js';
import { ASSET_SOURCES, REPO_ASSETS_DIR, fetchVerified, findAsset, findModel, sha256File, type AssetSource } from '../../scripts/lib/assets.js';
import { runTs } from '../../scripts/lib/child.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A real HTTP server on 127.0.0.1:0 serving `files` (path → body) and counting requests. */
async function serve(files: Record<string, Buffer>): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const body = files[req.url!];
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

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
    if (!existsSync(join(REPO_ASSETS_DIR, 'models'))) expect(() => findModel({ STORE_ASSETS_DIR: dir })).to.throw(/yolo export model=yolov8n\.pt format=onnx/);
  });

  it('reports the model as missing with the export command when there is no public ONNX download', async () => {
    const report = await fetchAssets({ dir, env: {}, logger: silentLogger(), sources: ASSET_SOURCES.filter((s) => s.kind === 'models') });
    expect(report.missing.map((m) => m.name)).to.deep.equal(['models/yolov8n.onnx']);
    expect(report.missing[0]!.howTo).to.match(/yolo export/);
  });

  it('its catalogue checksums match the clips the project is tested with', async function () {
    const shared = process.env.STORE_ASSETS_DIR;
    if (!shared) {
      console.log('      skip: STORE_ASSETS_DIR is not set, no reference clips to compare with');
      return this.skip();
    }
    for (const s of ASSET_SOURCES.filter((x) => x.sha256)) expect(await sha256File(join(shared, s.kind, s.name)), s.name).to.equal(s.sha256);
    expect(ASSET_SOURCES.filter((x) => x.url).every((x) => x.url!.startsWith('https://raw.githubusercontent.com/intel-iot-devkit/sample-videos/'))).to.equal(true);
  });

  it('the CLI fetches the real clips from a mirror (--base-url) into --dir and exits 1 naming the model step', async function () {
    this.timeout(60_000);
    const shared = process.env.STORE_ASSETS_DIR;
    if (!shared) {
      console.log('      skip: STORE_ASSETS_DIR is not set, no clips to serve');
      return this.skip();
    }
    const files: Record<string, Buffer> = {};
    for (const s of ASSET_SOURCES.filter((x) => x.kind === 'media')) files[`/media/${s.name}`] = readFileSync(join(shared, 'media', s.name));
    const srv = await serve(files);
    cleanups.push(() => srv.server.close());
    // STORE_ASSETS_DIR='' in the child: nothing counts as present, so the command really downloads.
    const run = async (args: string[]) => {
      const proc = runTs('scripts/assets.ts', ['--dir', dir, '--base-url', srv.url, ...args], { STORE_ASSETS_DIR: '' });
      const { code } = await proc.exited;
      return { code, done: proc.lines.find((l) => l.event === 'assets_done'), stderr: proc.stderr.join('\n') };
    };
    const first = await run([]);
    expect(first.done, first.stderr).to.include({ downloaded: 4, present: 0 });
    expect(first.code).to.equal(1);
    expect(first.stderr).to.match(/models\/yolov8n\.onnx has no public download; make it with:\n {2}pip install ultralytics/);
    for (const name of Object.keys(files)) expect(await sha256File(join(dir, name))).to.equal(sha(files[name]!));
    // With a mirrored model (verified by --model-sha256) everything is in place: exit 0, clips not fetched again.
    const model = readFileSync(findModel());
    files['/model.onnx'] = model;
    const second = await run(['--model-url', `${srv.url}/model.onnx`, '--model-sha256', sha(model)]);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.done).to.include({ downloaded: 1, present: 4 });
    expect(srv.hits.filter((h) => h.startsWith('/media/')).length).to.equal(4);
    const bad = await run(['--model-url', `${srv.url}/model.onnx`]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--model-url needs --model-sha256/);
  });
});
