import type { Role } from './api-keys.js';

/** What a request needs: open, or one of `roles` (and, for /stores/:id/…, access to that store). */
export type Access = { open: true } | { open: false; roles: readonly Role[]; storeId?: string };

const OPEN: Access = { open: true };
const READ: readonly Role[] = ['read', 'admin'];
const WRITE: readonly Role[] = ['ingest', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

// Pages and documents anyone on the network may load; the dashboard then asks for a read key itself.
const OPEN_GET = [/^\/$/, /^\/health$/, /^\/docs(\/|$)/, /^\/openapi\.json$/, /^\/assets\//, /^\/dashboard(\/|$)/, /^\/favicon\.ico$/];
const STORE_PATH = /^\/stores\/([^/]+)(\/.*)?$/;

/**
 * The access rules of issue 9, in one place: POST needs an ingest or admin key, GET /stores/* a read key for
 * that store, PUT (layouts) an admin key; /health and the dashboard's files stay open.
 */
export function requiredAccess(method: string, path: string): Access {
  if (method === 'OPTIONS') return OPEN;
  const store = STORE_PATH.exec(path);
  const storeId = store ? decodeSafe(store[1]!) : undefined;
  if (method === 'GET' || method === 'HEAD') {
    if (OPEN_GET.some((re) => re.test(path))) return OPEN;
    return { open: false, roles: READ, storeId };
  }
  if (method === 'POST') return { open: false, roles: WRITE, storeId };
  return { open: false, roles: ADMIN, storeId };
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
