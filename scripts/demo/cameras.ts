/**
 * The sample store's cameras (every data/cameras/*.json; each names the clip it replays in `source`), and the
 * pre-flight check that everything the demo needs is on disk before any process starts: one message listing
 * all that is missing and how to get it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '../../common/errors.js';
import { findAsset, findModel, GET_ASSETS_HINT } from '../lib/assets.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const CAMERAS_DIR = 'data/cameras';

export interface DemoCamera {
  /** Camera config file (agent/config.ts format), relative to the repository. */
  config: string;
  storeId: string;
  cameraId: string;
  /** The camera file's `source`: a clip name under <assets>/media/. */
  clip: string;
}

/** Reads the camera files; a file that is not a replayable sample camera is an error naming it. */
export function sampleCameras(dir = resolve(ROOT, CAMERAS_DIR)): DemoCamera[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    throw new AppError('INPUT_UNREADABLE', `${CAMERAS_DIR}: cannot list camera files (${(err as Error).message})`);
  }
  if (files.length === 0) throw new AppError('INPUT_UNREADABLE', `${CAMERAS_DIR}: no camera files`);
  return files.map((f) => {
    const config = `${CAMERAS_DIR}/${f}`;
    let raw: { store_id?: unknown; camera_id?: unknown; source?: unknown };
    try {
      raw = JSON.parse(readFileSync(resolve(dir, f), 'utf8'));
    } catch (err) {
      throw new AppError('INPUT_UNREADABLE', `${config}: not JSON (${(err as Error).message})`);
    }
    const { store_id, camera_id, source } = raw;
    if (typeof store_id !== 'string' || typeof camera_id !== 'string' || typeof source !== 'string') {
      throw new AppError('INPUT_UNREADABLE', `${config}: store_id, camera_id and source must be strings`);
    }
    if (/^rtsps?:\/\//.test(source) || isAbsolute(source)) throw new AppError('INPUT_UNREADABLE', `${config}: source must be a sample clip name for the demo (got ${source})`);
    return { config, storeId: store_id, cameraId: camera_id, clip: source };
  });
}

export interface Preflight {
  model: string;
  cameras: (DemoCamera & { clipPath: string })[];
}

export function preflight(env: Readonly<Record<string, string | undefined>>, cameras: readonly DemoCamera[] = sampleCameras()): Preflight {
  const problems: string[] = [];
  let model = '';
  try {
    model = findModel(env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const found: Preflight['cameras'] = [];
  for (const c of cameras) {
    try {
      found.push({ ...c, clipPath: findAsset('media', c.clip, env) });
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => p.replace(`: ${GET_ASSETS_HINT}`, ''));
    throw new AppError('INPUT_UNREADABLE', `the demo cannot start:\n  - ${lines.join('\n  - ')}\nTo fix: ${GET_ASSETS_HINT}.`);
  }
  return { model, cameras: found };
}
