import { buildDashboard, DIST_DIR } from '../hub/dashboard/build.js';

/** `npm run build:dashboard`: bundles hub/dashboard/src into hub/dashboard/dist (the hub also does this at start when dist/ is missing or stale). */
buildDashboard()
  .then((r) => {
    for (const f of r.files) process.stdout.write(`${f.path.padEnd(22)} ${(f.bytes / 1024).toFixed(1).padStart(8)} kB\n`);
    process.stdout.write(`built ${DIST_DIR} in ${r.ms} ms\n`);
  })
  .catch((err: Error) => {
    process.stderr.write(`build:dashboard failed: ${err.message}\n`);
    process.exit(1);
  });
