import type { StoreLayout } from '../../common/layout.js';
import type { Logger } from '../../common/logger.js';
import { configTopic } from '../../common/topics.js';

export interface LayoutSource {
  storeIds(): string[];
  get(storeId: string): StoreLayout | undefined;
  onChange(fn: (layout: StoreLayout) => void): void;
}

/**
 * Layouts to agents: each camera of each store gets the store's layout as a retained message on its config
 * topic, at start and after every change (PUT /stores/:id/layout), so an agent that (re)connects later still
 * reads the current one. A camera that left the layout gets an empty retained payload, which clears it.
 * Publishes run one at a time in call order, so two quick PUTs cannot land in the broker swapped.
 */
export function startLayoutFeed(deps: { layouts: LayoutSource; publish: (topic: string, payload: string) => Promise<void>; logger: Logger }) {
  const log = deps.logger.child({ component: 'layout_feed' });
  const cameras = new Map<string, Set<string>>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  async function publishStore(layout: StoreLayout): Promise<void> {
    if (stopped) return;
    const payload = JSON.stringify(layout);
    const now = new Set(layout.cameras.map((c) => c.camera_id));
    const gone = [...(cameras.get(layout.store_id) ?? [])].filter((c) => !now.has(c));
    cameras.set(layout.store_id, now);
    try {
      for (const cam of now) await deps.publish(configTopic(layout.store_id, cam), payload);
      for (const cam of gone) await deps.publish(configTopic(layout.store_id, cam), '');
      log.info({ event: 'layout_published', store_id: layout.store_id, cameras: now.size, cleared: gone.length, bytes: payload.length }, 'layout published to agents');
    } catch (err) {
      // The database has the layout; the next PUT or hub start publishes it again.
      log.error({ event: 'layout_publish_failed', store_id: layout.store_id, err: (err as Error).message.slice(0, 200) }, 'layout not published');
    }
  }

  const enqueue = (layout: StoreLayout): Promise<void> => (chain = chain.then(() => publishStore(layout)));
  for (const id of deps.layouts.storeIds()) {
    const layout = deps.layouts.get(id);
    if (layout) void enqueue(layout);
  }
  deps.layouts.onChange((layout) => void enqueue(layout));

  return {
    /** Resolves when every publish queued so far has been attempted (tests, shutdown). */
    idle: (): Promise<void> => chain,
    stop(): void {
      stopped = true;
    },
  };
}
