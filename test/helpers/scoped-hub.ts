import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendKey, createApiKey } from '../../hub/security/api-keys.js';
import { startTestHub, type TestHub } from './hub.js';

/** A keys file with a read, an ingest and an admin key scoped to `store`, plus an unscoped admin (`root`). */
export interface ScopedHub {
  hub: TestHub;
  keys: { read: string; ingest: string; admin: string; root: string };
  /** PUTs a copy of the sample layout under `storeId` with the root key (status returned). */
  putLayout(storeId: string, name?: string): Promise<number>;
  close(): Promise<void>;
}

export function sampleLayout(storeId: string, name: string): Record<string, unknown> {
  const file = JSON.parse(readFileSync('data/store_layout.json', 'utf8')) as { stores: Record<string, unknown>[] };
  return { ...file.stores[0], store_id: storeId, name };
}

export async function startScopedHub(store: string): Promise<ScopedHub> {
  const dir = mkdtempSync(join(tmpdir(), 'scoped-'));
  const file = join(dir, 'keys.json');
  const keys = {} as ScopedHub['keys'];
  for (const role of ['read', 'ingest', 'admin'] as const) {
    const { key, entry } = await createApiKey({ name: `${role}-scoped`, role, stores: [store] });
    appendKey(file, entry);
    keys[role] = key;
  }
  const root = await createApiKey({ name: 'root', role: 'admin' });
  appendKey(file, root.entry);
  keys.root = root.key;
  const hub = await startTestHub({ HUB_API_KEYS_FILE: file, RATE_LIMIT_IP_BURST: '100000' });
  return {
    hub,
    keys,
    putLayout: async (storeId, name = `original ${storeId}`) =>
      (await fetch(`${hub.url}/stores/${storeId}/layout`, {
        method: 'PUT', headers: { authorization: `Bearer ${keys.root}`, 'content-type': 'application/json' }, body: JSON.stringify(sampleLayout(storeId, name)),
      })).status,
    async close() {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers before/after hooks: a scoped hub for `store`, with the sample layout PUT under each of `layouts`. */
export function useScopedHub(store: string, layouts: string[]): { current: ScopedHub } {
  const ref = {} as { current: ScopedHub };
  before(async () => {
    ref.current = await startScopedHub(store);
    for (const id of layouts) {
      const status = await ref.current.putLayout(id);
      if (status !== 201) throw new Error(`PUT layout ${id}: ${status}`);
    }
  });
  after(() => ref.current?.close());
  return ref;
}
