/**
 * npm run assets [-- --dir assets] [--only media|models] [--base-url URL] [--model-url URL --model-sha256 HEX]
 * Downloads the sample clips (Intel IoT DevKit sample-videos, CC BY 4.0) with sha256 verification into ./assets/,
 * skipping what is already there (here or in $STORE_ASSETS_DIR). The YOLOv8n ONNX model has no stable public
 * download: the command prints the one-line export, or fetches it from --model-url (your mirror) with
 * --model-sha256. --base-url fetches the clips from a mirror laid out as <base>/<kind>/<name>.
 * Exit status: 0 when everything is in place, 1 when something is missing (the message says what to do).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { ASSET_SOURCES, MODEL_NAMES, REPO_ASSETS_DIR, fetchVerified, sha256File, type AssetSource } from './lib/assets.js';

export interface AssetsOptions {
  dir: string;
  only?: 'media' | 'models';
  baseUrl?: string;
  modelUrl?: string;
  modelSha256?: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  sources?: readonly AssetSource[];
}

export interface AssetsReport {
  present: string[];
  downloaded: string[];
  missing: { name: string; howTo: string }[];
}

export async function fetchAssets(o: AssetsOptions): Promise<AssetsReport> {
  const report: AssetsReport = { present: [], downloaded: [], missing: [] };
  for (const src of o.sources ?? ASSET_SOURCES) {
    if (o.only && src.kind !== o.only) continue;
    const id = `${src.kind}/${src.name}`;
    if (src.kind === 'models') {
      const dirs = [...(o.env.STORE_ASSETS_DIR ? [o.env.STORE_ASSETS_DIR] : []), o.dir];
      const found = dirs.flatMap((d) => MODEL_NAMES.map((n) => join(d, 'models', n))).find((p) => existsSync(p));
      if (found && !o.modelUrl) {
        report.present.push(found);
        continue;
      }
    } else if (o.env.STORE_ASSETS_DIR && src.sha256) {
      const shared = join(o.env.STORE_ASSETS_DIR, src.kind, src.name);
      if ((await sha256File(shared).catch(() => null)) === src.sha256) {
        report.present.push(shared);
        continue;
      }
    }
    // A mirror (--base-url) stands in for public sources only; a model without one comes from --model-url.
    const url = src.kind === 'models' && o.modelUrl ? o.modelUrl : o.baseUrl && src.url ? `${o.baseUrl.replace(/\/$/, '')}/${id}` : src.url;
    const sha = src.kind === 'models' && o.modelUrl ? (o.modelSha256 ?? null) : src.sha256;
    if (!url) {
      report.missing.push({ name: id, howTo: src.howTo ?? 'no public source' });
      continue;
    }
    const dest = join(o.dir, src.kind, src.name);
    o.logger.info({ event: 'asset_fetch', asset: id, url }, 'fetching');
    const outcome = await fetchVerified(url, dest, sha);
    (outcome === 'present' ? report.present : report.downloaded).push(dest);
    o.logger.info({ event: `asset_${outcome}`, asset: id, path: dest, license: src.license }, outcome);
  }
  return report;
}

async function main(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: { dir: { type: 'string' }, only: { type: 'string' }, 'base-url': { type: 'string' }, 'model-url': { type: 'string' }, 'model-sha256': { type: 'string' } },
  });
  if (a.only && a.only !== 'media' && a.only !== 'models') throw new AppError('BAD_REQUEST', `--only must be media or models (got "${a.only}")`);
  if (a['model-sha256'] && !/^[0-9a-f]{64}$/.test(a['model-sha256'])) throw new AppError('BAD_REQUEST', '--model-sha256 must be 64 lowercase hex characters');
  if (a['model-url'] && !a['model-sha256']) throw new AppError('BAD_REQUEST', '--model-url needs --model-sha256 (downloads are always verified)');
  const logger = createLogger({ name: 'assets', level: process.env.LOG_LEVEL ?? 'info' });
  const report = await fetchAssets({
    dir: a.dir ? resolve(a.dir) : REPO_ASSETS_DIR, only: a.only as AssetsOptions['only'], baseUrl: a['base-url'],
    modelUrl: a['model-url'], modelSha256: a['model-sha256'], env: process.env, logger,
  });
  logger.info({ event: 'assets_done', present: report.present.length, downloaded: report.downloaded.length, missing: report.missing.map((m) => m.name) }, 'assets');
  for (const m of report.missing) {
    process.stderr.write(`assets: ${m.name} has no public download; make it with:\n  ${m.howTo}\n(accepted names: ${MODEL_NAMES.join(', ')})\n`);
  }
  return report.missing.length > 0 ? 1 : 0;
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
