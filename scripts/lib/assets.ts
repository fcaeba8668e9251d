/**
 * Where the model and the sample clips come from, and how they are found: `$STORE_ASSETS_DIR/<kind>/<name>`
 * first, then `<repo>/assets/<kind>/<name>` (filled by `npm run assets`). Downloads stream through sha256 and
 * land atomically (a `.part` file renamed after the checksum matches), so an interrupted or tampered download
 * never leaves a file that looks valid.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../common/errors.js';

export type AssetKind = 'models' | 'media';

/** The repository's own download folder (git-ignored). */
export const REPO_ASSETS_DIR = resolve(import.meta.dirname, '../../assets');

export const GET_ASSETS_HINT = 'run `npm run assets` to download the sample model and clips into ./assets/, or set STORE_ASSETS_DIR to a folder that has models/ and media/';

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

/** One downloadable asset: where from, and the checksum it must have. */
export interface AssetSource {
  kind: AssetKind;
  name: string;
  /** Public URL; null when there is no stable public download (then `howTo` says how to make it). */
  url: string | null;
  sha256: string | null;
  howTo?: string;
  license: string;
}

const CLIPS = 'https://raw.githubusercontent.com/intel-iot-devkit/sample-videos/master';
const CLIP_LICENSE = 'CC BY 4.0, Intel IoT DevKit sample-videos';

/**
 * The sample clips (checksums computed from the copies the project is tested with) and the detector model.
 * Ultralytics publishes YOLOv8n only as PyTorch weights, not ONNX (ultralytics/ultralytics#3086), so the model is
 * exported once with their CLI; any YOLOv8/YOLO11-format ONNX file works (full precision or int8).
 */
export const ASSET_SOURCES: readonly AssetSource[] = [
  { kind: 'media', name: 'one-by-one-person-detection.mp4', url: `${CLIPS}/one-by-one-person-detection.mp4`, sha256: 'a5964aa259099a482a8b360ffc2c57b5a30f84d5919236a4dad01f8e929ac07c', license: CLIP_LICENSE },
  { kind: 'media', name: 'store-aisle-detection.gif', url: `${CLIPS}/preview/store-aisle-detection.gif`, sha256: '8f29af471b7df06c4eda38b72c22a86ee4779dfeff91c750b4f8087441ddb4d3', license: CLIP_LICENSE },
  { kind: 'media', name: 'people-detection.gif', url: `${CLIPS}/preview/people-detection.gif`, sha256: 'fa63d51a370464652cb902f73de8940292c8b4561c595b92fe252ad23be0f1d9', license: CLIP_LICENSE },
  { kind: 'media', name: 'worker-zone-detection.gif', url: `${CLIPS}/preview/worker-zone-detection.gif`, sha256: '258a1df000dfdb488f2992ecc02ed262e7ecf03f638c3f5d1736b26718783447', license: CLIP_LICENSE },
  {
    kind: 'models',
    name: 'yolov8n.onnx',
    url: null,
    sha256: null,
    howTo: 'pip install ultralytics && yolo export model=yolov8n.pt format=onnx imgsz=640 && mkdir -p assets/models && mv yolov8n.onnx assets/models/  (or pass --model-url URL --model-sha256 HEX for your own mirror)',
    license: 'AGPL-3.0, Ultralytics YOLOv8n',
  },
];

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

export type FetchOutcome = 'present' | 'downloaded';

/**
 * Downloads `url` to `dest` unless a file with the expected checksum is already there. A mismatching file is
 * replaced; a mismatching download is deleted and reported with both checksums.
 */
export async function fetchVerified(url: string, dest: string, sha256: string | null, fetchImpl: typeof fetch = fetch): Promise<FetchOutcome> {
  if (existsSync(dest) && (sha256 === null || (await sha256File(dest)) === sha256)) return 'present';
  mkdirSync(dirname(dest), { recursive: true });
  let res: Response;
  try {
    res = await fetchImpl(url, { redirect: 'follow' });
  } catch (err) {
    throw new AppError('INPUT_UNREADABLE', `download of ${url} failed: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as { cause: Error }).cause.message ?? (err as Error).cause)})` : ''}; check the network or use --base-url for a mirror`, { url }, { cause: err });
  }
  if (!res.ok || !res.body) throw new AppError('INPUT_UNREADABLE', `download of ${url} failed: HTTP ${res.status} ${res.statusText}`, { url, status: res.status });
  const part = `${dest}.part`;
  const h = createHash('sha256');
  try {
    const body = Readable.fromWeb(res.body as never);
    body.on('data', (chunk: Buffer) => h.update(chunk));
    await pipeline(body, createWriteStream(part));
  } catch (err) {
    rmSync(part, { force: true });
    throw new AppError('INPUT_UNREADABLE', `download of ${url} was interrupted: ${(err as Error).message}`, { url }, { cause: err });
  }
  const got = h.digest('hex');
  if (sha256 !== null && got !== sha256) {
    rmSync(part, { force: true });
    throw new AppError('INPUT_UNREADABLE', `checksum mismatch for ${url}: expected sha256 ${sha256}, got ${got}; the file was not kept`, { url, expected: sha256, got });
  }
  renameSync(part, dest);
  return 'downloaded';
}

/** Detector files the project accepts, in order of preference (int8 is ~2× faster on CPU; see docs/BENCHMARKS.md). */
export const MODEL_NAMES = ['yolov8n_int8.onnx', 'yolov8n.onnx'] as const;

/** The detector model: the first of MODEL_NAMES found, or an error with the instructions. */
export function findModel(env: Readonly<Record<string, string | undefined>> = process.env): string {
  for (const name of MODEL_NAMES) {
    try {
      return findAsset('models', name, env);
    } catch {
      // try the next name
    }
  }
  const how = ASSET_SOURCES.find((s) => s.kind === 'models')?.howTo;
  throw new AppError('INPUT_UNREADABLE', `no detector model (${MODEL_NAMES.join(' or ')}) in ${assetDirs(env).map((d) => join(d, 'models')).join(' or ')}: ${GET_ASSETS_HINT}; the model itself: ${how}`);
}
