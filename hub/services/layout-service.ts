import { AppError } from '../../common/errors.js';
import { assertArraysBounded, describeIssues, LAYOUT_MAX_ITEMS, loadLayoutFile, storeLayoutSchema, type StoreLayout } from '../../common/layout.js';
import type { Logger } from '../../common/logger.js';
import type { LayoutRepository } from '../store/layout-repository.js';

/**
 * Store layouts: the STORE_LAYOUT file seeds the database at start, PUT /stores/:id/layout replaces one store's
 * layout and is persisted. A layout set through PUT wins over the file at the next start (the file is only the
 * seed); when they differ the hub says so in its log, so an edited file that "does nothing" is explained.
 */
export function createLayoutService(deps: { repo: LayoutRepository; logger: Logger; clock?: () => number }) {
  const clock = deps.clock ?? Date.now;
  const layouts = new Map<string, StoreLayout>();
  const listeners: ((layout: StoreLayout) => void)[] = [];

  return {
    /** Loads the database's layouts, then seeds the stores the file has and the database does not. */
    async init(filePath: string | null): Promise<void> {
      for (const row of await deps.repo.all()) {
        const parsed = storeLayoutSchema.safeParse(JSON.parse(row.layout));
        if (parsed.success) layouts.set(row.store_id, parsed.data);
        else deps.logger.error({ event: 'layout_invalid_in_db', store_id: row.store_id, reason: describeIssues(parsed.error) });
      }
      if (!filePath) return;
      for (const store of loadLayoutFile(filePath).stores) {
        const current = layouts.get(store.store_id);
        if (!current) {
          await deps.repo.upsert(store.store_id, JSON.stringify(store), clock());
          layouts.set(store.store_id, store);
          deps.logger.info({ event: 'layout_seeded', store_id: store.store_id, file: filePath });
        } else if (JSON.stringify(current) !== JSON.stringify(store)) {
          deps.logger.warn(
            { event: 'layout_file_differs', store_id: store.store_id, file: filePath },
            'the stored layout (set by PUT) differs from the file and is kept; PUT the file content to apply it',
          );
        }
      }
    },

    get(storeId: string): StoreLayout | undefined {
      return layouts.get(storeId);
    },

    /** The layout or AppError NOT_FOUND naming the store: every /stores/:id route starts here. */
    require(storeId: string): StoreLayout {
      const layout = layouts.get(storeId);
      if (!layout) {
        throw new AppError('NOT_FOUND', `unknown store ${storeId}: no layout (load it with STORE_LAYOUT or PUT /stores/${storeId}/layout)`, {
          store_id: storeId,
        });
      }
      return layout;
    },

    storeIds(): string[] {
      return [...layouts.keys()].sort();
    },

    /** Validates and stores a layout for `storeId`; the body's store_id, if given, must match. */
    async put(storeId: string, raw: unknown): Promise<{ layout: StoreLayout; created: boolean }> {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new AppError('BAD_REQUEST', 'layout: body must be a JSON object (one store layout)', { field: '(body)' });
      }
      const body = { store_id: storeId, ...(raw as Record<string, unknown>) };
      if (body.store_id !== storeId) {
        throw new AppError('BAD_REQUEST', `store_id: "${String(body.store_id)}" does not match the path's ${storeId}`, { field: 'store_id' });
      }
      assertArraysBounded(body, LAYOUT_MAX_ITEMS, 'layout');
      const parsed = storeLayoutSchema.safeParse(body);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new AppError('BAD_REQUEST', `layout: ${describeIssues(parsed.error)}`, { field: first?.path.join('.') || '(body)' });
      }
      const created = !layouts.has(storeId);
      await deps.repo.upsert(storeId, JSON.stringify(parsed.data), clock());
      layouts.set(storeId, parsed.data);
      for (const l of listeners) l(parsed.data);
      return { layout: parsed.data, created };
    },

    /** Called after a layout changes (caches keyed by zones). */
    onChange(fn: (layout: StoreLayout) => void): void {
      listeners.push(fn);
    },
  };
}
export type LayoutService = ReturnType<typeof createLayoutService>;
