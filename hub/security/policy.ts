import type { Role } from './api-keys.js';

/** What a request needs: open, or one of `roles` (and, for /stores/:id/…, access to that store). */
export type Access = { open: true } | { open: false; roles: readonly Role[]; storeId?: string };

const OPEN: Access = { open: true };
const READ: readonly Role[] = ['read', 'admin'];
const WRITE: readonly Role[] = ['ingest', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

// Pages and documents anyone on the network may load; the dashboard then asks for a read key itself.
// Matched like the router matches (case-insensitive, optional trailing slash); the authoritative store check is
// on the router's own matched id (store-scope.ts), this one only answers early.
const OPEN_GET = [/^\/$/, /^\/health\/?$/i, /^\/docs(\/|$)/i, /^\/openapi\.json\/?$/i, /^\/assets\//i, /^\/dashboard(\/|$)/i, /^\/favicon\.ico$/i];
const STORE_PATH = /^\/stores\/([^/]+)(\/.*)?$/i;

/**
 * The access rules, in one place: POST needs an ingest or admin key, GET /stores/* a read key for
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
