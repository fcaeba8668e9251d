/**
 * Where the model and the sample clips come from, and how they are found: `$STORE_ASSETS_DIR/<kind>/<name>`
 * first, then `<repo>/assets/<kind>/<name>` (filled by `npm run assets`). Downloads land atomically (a `.part`
 * file renamed after its digest matches), so an interrupted or tampered download never leaves a file that looks
 * valid. A digest is a sha256 or, where only that is published, a git blob id (sha1 of "blob <size>\0" + bytes,
 * what `git hash-object` prints and GitHub lists for every file of a commit).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KNOWN_DETECTOR_MODELS } from '../../agent/detector/models.js';
import { AppError } from '../../common/errors.js';

export type AssetKind = 'models' | 'media';

/** The repository's own download folder (git-ignored). */
export const REPO_ASSETS_DIR = resolve(import.meta.dirname, '../../assets');

export const GET_ASSETS_HINT = 'run `npm run assets` to download the default model and the sample clips into ./assets/, or set STORE_ASSETS_DIR to a folder that has models/ and media/';

export function assetDirs(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return [...(env.STORE_ASSETS_DIR ? [resolve(env.STORE_ASSETS_DIR)] : []), REPO_ASSETS_DIR];
}

/** The path of an asset, or an error that says exactly where it looked and how to get it. */
export function findAsset(kind: AssetKind, name: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const dirs = assetDirs(env);
  for (const dir of dirs) {
    const p = join(dir, kind, name);
    if (existsSync(p)) return p;
  }
  const looked = dirs.map((d) => join(d, kind, name)).join(', ');
  throw new AppError('INPUT_UNREADABLE', `missing ${kind}/${name} (looked in ${looked}${env.STORE_ASSETS_DIR ? '' : '; STORE_ASSETS_DIR is not set'}): ${GET_ASSETS_HINT}`, { kind, name });
}

/** What a download must hash to: a sha256 (hex) or a git blob id (sha1 hex). */
export interface Digest {
  sha256?: string;
  gitBlob?: string;
}

/** One downloadable asset: where from, and the digest it must have. */
export interface AssetSource {
  kind: AssetKind;
  name: string;
  /** Public, pinned URL; null when there is no stable public download (then `howTo` says how to make it). */
  url: string | null;
  sha256: string | null;
  /** Git blob id, for files whose sha256 is not published. */
  gitBlob?: string;
  howTo?: string;
  license: string;
  /** Fetched only when asked for by name (`--model yolox_s`): larger models nobody needs by default. */
  optional?: boolean;
}

const CLIPS = 'https://raw.githubusercontent.com/intel-iot-devkit/sample-videos/master';
const CLIP_LICENSE = 'CC BY 4.0, Intel IoT DevKit sample-videos';
/** Kazuhito00/YOLOX-ONNX-TFLite-Sample (Apache-2.0) at a fixed commit: ONNX conversions of Megvii's official weights. */
const YOLOX = 'https://raw.githubusercontent.com/Kazuhito00/YOLOX-ONNX-TFLite-Sample/3d4f1119d0694200671c08069ecb847aa0d8495a/model';
const YOLOX_LICENSE = 'Apache-2.0, Megvii YOLOX weights converted by Kazuhito00/YOLOX-ONNX-TFLite-Sample';

/** The sample clips and the detectors (checksums computed from the copies the project is tested with). */
export const ASSET_SOURCES: readonly AssetSource[] = [
  { kind: 'media', name: 'one-by-one-person-detection.mp4', url: `${CLIPS}/one-by-one-person-detection.mp4`, sha256: 'a5964aa259099a482a8b360ffc2c57b5a30f84d5919236a4dad01f8e929ac07c', license: CLIP_LICENSE },
  { kind: 'media', name: 'store-aisle-detection.gif', url: `${CLIPS}/preview/store-aisle-detection.gif`, sha256: '8f29af471b7df06c4eda38b72c22a86ee4779dfeff91c750b4f8087441ddb4d3', license: CLIP_LICENSE },
  { kind: 'media', name: 'people-detection.gif', url: `${CLIPS}/preview/people-detection.gif`, sha256: 'fa63d51a370464652cb902f73de8940292c8b4561c595b92fe252ad23be0f1d9', license: CLIP_LICENSE },
  { kind: 'media', name: 'worker-zone-detection.gif', url: `${CLIPS}/preview/worker-zone-detection.gif`, sha256: '258a1df000dfdb488f2992ecc02ed262e7ecf03f638c3f5d1736b26718783447', license: CLIP_LICENSE },
  { kind: 'models', name: 'yolox_nano.onnx', url: `${YOLOX}/yolox_nano.onnx`, sha256: '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14', gitBlob: '212becc5e5789d4e934c38561f63eb4f55ed4e54', license: YOLOX_LICENSE },
  { kind: 'models', name: 'yolox_tiny.onnx', url: `${YOLOX}/yolox_tiny.onnx`, sha256: null, gitBlob: '65f255c269c406c7276e9d28f02fb14c441bc44c', license: YOLOX_LICENSE, optional: true },
  { kind: 'models', name: 'yolox_s.onnx', url: `${YOLOX}/yolox_s.onnx`, sha256: null, gitBlob: '924f0680a41ca03f99704fae29d6577105536cf4', license: YOLOX_LICENSE, optional: true },
];

export function digestOf(src: Pick<AssetSource, 'sha256' | 'gitBlob'>): Digest | null {
  if (src.sha256) return { sha256: src.sha256 };
  return src.gitBlob ? { gitBlob: src.gitBlob } : null;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** The git blob id of a file: sha1 over "blob <size>\0" and the bytes. */
export async function gitBlobFile(path: string): Promise<string> {
  const h = createHash('sha1');
  h.update(`blob ${statSync(path).size}\0`);
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** The first digest of `want` the file does not have, as [kind, expected, got]; undefined when all match. */
export async function digestMismatch(path: string, want: Digest): Promise<[string, string, string] | undefined> {
  if (want.sha256) {
    const got = await sha256File(path);
    if (got !== want.sha256) return ['sha256', want.sha256, got];
  }
  if (want.gitBlob) {
    const got = await gitBlobFile(path);
    if (got !== want.gitBlob) return ['git blob id', want.gitBlob, got];
  }
  return undefined;
}

export type FetchOutcome = 'present' | 'downloaded';

/**
 * Downloads `url` to `dest` unless a file with the expected digest is already there (a bare string is a sha256).
 * A mismatching file is replaced; a mismatching download is deleted and reported with both digests.
 */
export async function fetchVerified(url: string, dest: string, expected: Digest | string | null, fetchImpl: typeof fetch = fetch): Promise<FetchOutcome> {
  const want: Digest | null = typeof expected === 'string' ? { sha256: expected } : expected;
  if (existsSync(dest) && (want === null || !(await digestMismatch(dest, want)))) return 'present';
  mkdirSync(dirname(dest), { recursive: true });
  let res: Response;
  try {
    res = await fetchImpl(url, { redirect: 'follow' });
  } catch (err) {
    throw new AppError('INPUT_UNREADABLE', `download of ${url} failed: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as { cause: Error }).cause.message ?? (err as Error).cause)})` : ''}; check the network or use --base-url for a mirror`, { url }, { cause: err });
  }
  if (!res.ok || !res.body) throw new AppError('INPUT_UNREADABLE', `download of ${url} failed: HTTP ${res.status} ${res.statusText}`, { url, status: res.status });
  const part = `${dest}.part`;
  try {
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(part));
  } catch (err) {
    rmSync(part, { force: true });
    throw new AppError('INPUT_UNREADABLE', `download of ${url} was interrupted: ${(err as Error).message}`, { url }, { cause: err });
  }
  const bad = want ? await digestMismatch(part, want) : undefined;
  if (bad) {
    rmSync(part, { force: true });
    const [kind, exp, got] = bad;
    throw new AppError('INPUT_UNREADABLE', `checksum mismatch for ${url}: expected ${kind} ${exp}, got ${got}; the file was not kept`, { url, expected: exp, got });
  }
  renameSync(part, dest);
  return 'downloaded';
}

/** Detector files the project accepts by name, in order of preference (the default first). */
export const MODEL_NAMES = KNOWN_DETECTOR_MODELS;

/** The detector model: the first of MODEL_NAMES found, or an error with the instructions. */
export function findModel(env: Readonly<Record<string, string | undefined>> = process.env): string {
  for (const name of MODEL_NAMES) {
    try {
      return findAsset('models', name, env);
    } catch {
      // try the next name
    }
  }
  throw new AppError('INPUT_UNREADABLE', `no detector model (${MODEL_NAMES.join(', ')}) in ${assetDirs(env).map((d) => join(d, 'models')).join(' or ')}: ${GET_ASSETS_HINT}`);
}
