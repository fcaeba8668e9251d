import type { StoreLayout } from '../../common/layout.js';
import { zoneCamerasOf, type VisitorLinks } from '../analytics/identity.js';
import { PURCHASE_WINDOW_MS, VISIT_LOOKBACK_MS, type BillingPresence, type PosTransaction, type VisitorFacts } from '../analytics/types.js';
import type { Window } from '../analytics/window.js';
import type { AnalyticsRepository, ZoneSets } from '../store/analytics-repository.js';
import type { PosRepository } from '../store/pos-repository.js';
import type { VisitorLinkRepository } from '../store/visitor-link-repository.js';

/** The layout's billing and entrance zone ids, as the analytics queries take them. */
export function zoneSets(layout: StoreLayout): ZoneSets {
  return {
    billing: layout.zones.filter((z) => z.type === 'billing').map((z) => z.zone_id),
    entrance: layout.zones.filter((z) => z.type === 'entrance').map((z) => z.zone_id),
  };
}

/** What conversion needs for a window (hub/analytics/store-conversion.ts). */
export interface ConversionFacts {
  visitors: VisitorFacts[];
  presences: BillingPresence[];
  transactions: PosTransaction[];
  links: VisitorLinks;
  zoneCameraIds: Set<string>;
}

/**
 * Links are read by their time on the events' clock; a link made for a visit of the window lies within a visit's
 * length of it. Extra links are harmless (they name ids the window does not hold).
 */
const LINK_SLACK_MS = VISIT_LOOKBACK_MS;

/**
 * Reads what conversion needs for a window (the metrics, the funnel and the conversion-drop anomaly share it):
 * visitors, billing presences of every camera, transactions, links, and the zone cameras' ids.
 */
export function createConversionReader(deps: { analytics: AnalyticsRepository; pos: PosRepository; links?: VisitorLinkRepository | undefined }) {
  const { analytics: repo } = deps;
  /** Visitors of the window, with the ENTRY of visits that began up to VISIT_LOOKBACK_MS before it. */
  async function visitors(storeId: string, w: Window, zones: ZoneSets): Promise<VisitorFacts[]> {
    const [list, earlier] = await Promise.all([
      repo.visitorFacts(storeId, w.from, w.to, zones),
      repo.earliestEntries(storeId, w.from - VISIT_LOOKBACK_MS, w.from),
    ]);
    for (const v of list) {
      const before = earlier.get(v.visitor_id);
      if (before !== undefined && v.last_exit !== null) v.first_entry = before;
    }
    return list;
  }

  function linksOf(storeId: string, w: Window): Promise<VisitorLinks> {
    return deps.links ? deps.links.readLinks(storeId, w.from - LINK_SLACK_MS, w.to + LINK_SLACK_MS) : Promise.resolve(new Map());
  }

  /** What conversion needs: visitors, billing presences of every camera, transactions, links, zone cameras' ids. */
  async function conversionFacts(storeId: string, layout: StoreLayout, w: Window): Promise<ConversionFacts> {
    const zones = zoneSets(layout);
    const [vs, presences, transactions, links] = await Promise.all([
      visitors(storeId, w, zones),
      repo.billingPresences(storeId, w.from - PURCHASE_WINDOW_MS, w.to, zones.billing),
      deps.pos.list(storeId, w.from, w.to),
      linksOf(storeId, w),
    ]);
    // Only ids that neither entered nor are linked can be a zone camera's unlinked customer.
    const open = vs.filter((v) => v.first_in === null && !links.has(v.visitor_id)).map((v) => v.visitor_id);
    const zoneCameraIds = await repo.visitorsOfCameras(storeId, w.from, w.to, open, zoneCamerasOf(layout));
    return { visitors: vs, presences, transactions, links, zoneCameraIds };
  }

  return { visitors, linksOf, conversionFacts };
}
