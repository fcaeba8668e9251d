import type { CanonicalVisitor } from './identity.js';
import type { StoreConversion } from './store-conversion.js';

/** How many of a stage's visitors needed cross-camera identity. */
export interface StageIdentity {
  /** Visitors of the window who reached the stage only through a linked camera's id. */
  linked: number;
  /** Zone-camera customers without a link, counted into the stage in place of the visitor they are. */
  unlinked: number;
}

/** GET /stores/:id/funnel: visitors (not events) at each stage. */
export interface Funnel {
  entry: number;
  zone_visit: number;
  billing_queue: number;
  purchased: number;
  /** The stages that depend on identity, split by how their visitors were counted. */
  identity: { zone_visit: StageIdentity; billing_queue: StageIdentity; purchased: StageIdentity };
}

type Stage = (v: CanonicalVisitor) => boolean;

/**
 * Each stage counts the visitors of the stage before that also did the next thing, so the funnel can never
 * grow, whatever the events say (a purchase matched to a visitor never seen in a zone, say, stops at entry).
 *
 * Visitors are canonical (linked ids merged into their entrance visitor). Zone-camera customers without a link
 * did enter, under an id we cannot name: each one that reached a stage is counted into it, up to the stage
 * before (they can only be visitors already counted at entry), so conversion never depends on a link.
 */
export function computeFunnel(conv: StoreConversion): Funnel {
  const bought = (v: CanonicalVisitor) => conv.byVisitor.get(v.visitor_id)?.count;
  const stages: Stage[] = [
    (v) => v.zone_visit,
    (v) => v.billing,
    (v) => {
      const c = bought(v);
      return c === 'visitor' || c === 'linked' || c === 'unlinked' || c === 'beyond_visitors';
    },
  ];
  // The same stages on the canonical id's own facts: a stage reached only with a linked id's facts is `linked`.
  const ownStages: Stage[] = [(v) => !!v.own?.zone_visit, (v) => !!v.own?.billing, (v) => bought(v) === 'visitor'];
  let known = conv.visitors.filter((v) => conv.entered.has(v.visitor_id));
  let unknown = conv.visitors.filter((v) => conv.unlinked.has(v.visitor_id));
  const entry = known.length;
  let previous = entry;
  const counts: number[] = [];
  const identity: StageIdentity[] = [];
  stages.forEach((reached, i) => {
    known = known.filter(reached);
    unknown = unknown.filter(reached);
    const n = Math.min(previous, known.length + unknown.length);
    const linked = known.filter((v) => v.linked_ids > 0 && !ownStages.slice(0, i + 1).every((own) => own(v))).length;
    counts.push(n);
    identity.push({ linked, unlinked: n - known.length });
    previous = n;
  });
  return {
    entry,
    zone_visit: counts[0]!,
    billing_queue: counts[1]!,
    purchased: counts[2]!,
    identity: { zone_visit: identity[0]!, billing_queue: identity[1]!, purchased: identity[2]! },
  };
}
