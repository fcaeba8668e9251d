import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Browser sources (TypeScript, CSS, index.html). */
export const SRC_DIR = join(here, 'src');
/** Built bundle served by the hub (git-ignored; the Docker image builds it at image build time). */
export const DIST_DIR = join(here, 'dist');
const STAMP = 'index.html';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing, or older than a source file (a developer edited src/ since the last build). */
export function needsBuild(srcDir = SRC_DIR, distDir = DIST_DIR): boolean {
  const stamp = join(distDir, STAMP);
  if (!existsSync(stamp)) return true;
  if (!existsSync(srcDir)) return false; // a deployment with dist/ only
  return newestMtime(srcDir) > statSync(stamp).mtimeMs;
}

export interface BuildResult {
  files: { path: string; bytes: number }[];
  ms: number;
}

/**
 * Bundles src/main.ts (with uPlot and the CSS it imports) into dist/assets/app.js + app.css and copies index.html.
 * esbuild is a devDependency, loaded only here. The bundle is written to a temporary directory and renamed into
 * place, so a hub serving dist/ never sees half a build.
 */
export async function buildDashboard(opts: { srcDir?: string; distDir?: string; minify?: boolean } = {}): Promise<BuildResult> {
  const srcDir = opts.srcDir ?? SRC_DIR;
  const distDir = opts.distDir ?? DIST_DIR;
  const started = performance.now();
  const esbuild = await import('esbuild');
  const tmp = `${distDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(join(tmp, 'assets'), { recursive: true });
  try {
    await esbuild.build({
      entryPoints: { app: join(srcDir, 'main.ts') },
      outdir: join(tmp, 'assets'),
      bundle: true,
      format: 'iife',
      target: 'es2020',
      minify: opts.minify ?? true,
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'silent',
    });
    copyFileSync(join(srcDir, 'index.html'), join(tmp, 'index.html'));
    rmSync(distDir, { recursive: true, force: true });
    renameSync(tmp, distDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const files = readdirSync(join(distDir, 'assets')).map((f) => ({ path: `assets/${f}`, bytes: statSync(join(distDir, 'assets', f)).size }));
  return { files: [{ path: STAMP, bytes: statSync(join(distDir, STAMP)).size }, ...files], ms: Math.round(performance.now() - started) };
}
