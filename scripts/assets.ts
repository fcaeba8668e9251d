/**
 * npm run assets [-- --dir assets] [--only media|models] [--model yolox_tiny,yolox_s]
 *                   [--model-url URL (--model-sha256 HEX | --model-git-blob HEX) [--model-name NAME]]
 *                   [--base-url URL] [--origin URL]
 * Downloads the default detector (YOLOX-nano, Apache-2.0) and the sample clips (Intel IoT DevKit sample-videos,
 * CC BY 4.0) from pinned URLs into ./assets/, each verified by its digest, skipping what is already there (here or
 * in $STORE_ASSETS_DIR). --model adds the larger YOLOX models (verified by git blob id); --model-url fetches your
 * own YOLOv8/YOLO11/YOLOX export, verified by the digest you give. --base-url fetches from a mirror laid out as
 * <base>/<kind>/<name>; --origin keeps every URL's path but sends it to another host (a local stand-in).
 * Exit status: 0 when everything is in place, 1 when a download failed, 2 on bad usage.
 */
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { ASSET_SOURCES, REPO_ASSETS_DIR, digestMismatch, digestOf, fetchVerified, type AssetSource, type Digest } from './lib/assets.js';

export interface AssetsOptions {
  dir: string;
  only?: 'media' | 'models';
  /** Optional models to fetch too, by name without `.onnx` (yolox_tiny, yolox_s). */
  models?: readonly string[];
  /** A mirror laid out as <base>/<kind>/<name>. */
  baseUrl?: string;
  /** Replaces the scheme, host and port of every public URL, keeping its path. */
  origin?: string;
  modelUrl?: string;
  modelDigest?: Digest;
  modelName?: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  sources?: readonly AssetSource[];
}

export interface AssetsReport {
  present: string[];
  downloaded: string[];
}

/** What this run fetches: the non-optional sources, the optional ones asked for, and the user's own model. */
export function selectSources(o: Pick<AssetsOptions, 'only' | 'models' | 'modelUrl' | 'modelDigest' | 'modelName' | 'sources'>): AssetSource[] {
  const all = o.sources ?? ASSET_SOURCES;
  const asked = new Set((o.models ?? []).map((m) => m.replace(/\.onnx$/, '')));
  for (const m of asked) {
    if (!all.some((s) => s.kind === 'models' && s.name === `${m}.onnx`)) {
      throw new AppError('BAD_REQUEST', `--model ${m}: unknown; known models: ${all.filter((s) => s.kind === 'models').map((s) => s.name.replace(/\.onnx$/, '')).join(', ')}`);
    }
  }
  const picked = all.filter((s) => !s.optional || asked.has(s.name.replace(/\.onnx$/, '')));
  if (o.modelUrl) {
    const name = o.modelName ?? basename(new URL(o.modelUrl).pathname);
    if (!/^[\w.-]+\.onnx$/.test(name)) throw new AppError('BAD_REQUEST', `--model-name must be a file name ending in .onnx (got "${name}")`);
    picked.push({ kind: 'models', name, url: o.modelUrl, sha256: o.modelDigest?.sha256 ?? null, ...(o.modelDigest?.gitBlob ? { gitBlob: o.modelDigest.gitBlob } : {}), license: 'your own export' });
  }
  return picked.filter((s) => !o.only || s.kind === o.only);
}

function withOrigin(url: string, origin: string | undefined): string {
  if (!origin) return url;
  const u = new URL(url);
  return new URL(`${u.pathname}${u.search}`, origin).href;
}

export async function fetchAssets(o: AssetsOptions): Promise<AssetsReport> {
  const report: AssetsReport = { present: [], downloaded: [] };
  for (const src of selectSources(o)) {
    const id = `${src.kind}/${src.name}`;
    const digest = digestOf(src);
    if (o.env.STORE_ASSETS_DIR && digest) {
      const shared = join(o.env.STORE_ASSETS_DIR, src.kind, src.name);
      if ((await digestMismatch(shared, digest).catch(() => 'unreadable')) === undefined) {
        report.present.push(shared);
        continue;
      }
    }
    const isOwn = src.url === o.modelUrl;
    const url = o.baseUrl && !isOwn ? `${o.baseUrl.replace(/\/$/, '')}/${id}` : withOrigin(src.url!, isOwn ? undefined : o.origin);
    const dest = join(o.dir, src.kind, src.name);
    o.logger.info({ event: 'asset_fetch', asset: id, url }, 'fetching');
    const outcome = await fetchVerified(url, dest, digest);
    (outcome === 'present' ? report.present : report.downloaded).push(dest);
    o.logger.info({ event: `asset_${outcome}`, asset: id, path: dest, license: src.license }, outcome);
  }
  return report;
}

const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);

/** Flags → AssetsOptions (without env and logger), every bad flag named. */
export function parseAssetsArgs(argv: string[]): Omit<AssetsOptions, 'env' | 'logger'> {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string' }, only: { type: 'string' }, model: { type: 'string' }, 'base-url': { type: 'string' }, origin: { type: 'string' },
        'model-url': { type: 'string' }, 'model-sha256': { type: 'string' }, 'model-git-blob': { type: 'string' }, 'model-name': { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new AppError('BAD_REQUEST', (err as Error).message);
  }
  if (a.only && a.only !== 'media' && a.only !== 'models') throw new AppError('BAD_REQUEST', `--only must be media or models (got "${a.only}")`);
  if (a['model-sha256'] && !HEX(64).test(a['model-sha256'])) throw new AppError('BAD_REQUEST', '--model-sha256 must be 64 lowercase hex characters');
  if (a['model-git-blob'] && !HEX(40).test(a['model-git-blob'])) throw new AppError('BAD_REQUEST', '--model-git-blob must be 40 lowercase hex characters');
  if (a['model-url'] && !a['model-sha256'] && !a['model-git-blob']) throw new AppError('BAD_REQUEST', '--model-url needs --model-sha256 or --model-git-blob (downloads are always verified)');
  for (const flag of ['model-url', 'base-url', 'origin'] as const) {
    if (a[flag] && !URL.canParse(a[flag])) throw new AppError('BAD_REQUEST', `--${flag} must be a URL (got "${a[flag]}")`);
  }
  const digest: Digest = { ...(a['model-sha256'] ? { sha256: a['model-sha256'] } : {}), ...(a['model-git-blob'] ? { gitBlob: a['model-git-blob'] } : {}) };
  return {
    dir: a.dir ? resolve(a.dir) : REPO_ASSETS_DIR,
    ...(a.only ? { only: a.only as 'media' | 'models' } : {}),
    ...(a.model ? { models: a.model.split(',').map((m) => m.trim()).filter(Boolean) } : {}),
    ...(a['base-url'] ? { baseUrl: a['base-url'] } : {}),
    ...(a.origin ? { origin: a.origin } : {}),
    ...(a['model-url'] ? { modelUrl: a['model-url'], modelDigest: digest } : {}),
    ...(a['model-name'] ? { modelName: a['model-name'] } : {}),
  };
}

async function main(argv: string[]): Promise<number> {
  const opts = parseAssetsArgs(argv);
  const logger = createLogger({ name: 'assets', level: process.env.LOG_LEVEL ?? 'info' });
  selectSources(opts); // bad --model names fail before anything is fetched
  const report = await fetchAssets({ ...opts, env: process.env, logger });
  logger.info({ event: 'assets_done', present: report.present.length, downloaded: report.downloaded.length }, 'assets');
  return 0;
}

if (process.argv[1]?.endsWith('scripts/assets.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`assets: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
      process.exit(isAppError(err) && err.code === 'BAD_REQUEST' ? 2 : 1);
    },
  );
}
