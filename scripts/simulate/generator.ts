/**
 * The simulator's pure core: config → events and POS rows in time order, plus the true counts. No I/O and no
 * clock: the window start is part of the config. The agenda is a min-heap of timed actions and outputs, so a
 * store day streams out with memory bounded by the people in the store, not by the length of the day, and
 * `simulate()` can feed a soak benchmark for hours.
 */
import type { EventType, StoreEvent } from '../../common/event.js';
import { parseSimConfig, storePlan, type SimConfig, type SimConfigInput } from './config.js';
import { MinHeap, type Timed } from './heap.js';
import { startStore, type Agenda, type DraftEvent, type PosDraft } from './journeys.js';
import { createRng, deriveSeed } from './prng.js';

/** One POS transaction, in the columns of data/pos_transactions.csv. */
export interface PosRow {
  transaction_id: string;
  store_id: string;
  timestamp: string;
  basket_value_inr: number;
}

export type SimItem = { kind: 'event'; event: StoreEvent } | { kind: 'pos'; pos: PosRow };

export interface StoreTruth {
  store_id: string;
  /** Unique shoppers (staff excluded); a re-entry is the same visitor. */
  visitors: number;
  staff: number;
  groups: number;
  /** Shoppers who paid at the till (a group's payer), each counted once. */
  buyers: number;
  /** Second purchases by a shopper who came back (REENTRY) and paid again: transactions = buyers + these. */
  repeat_purchases: number;
  transactions: number;
  abandons: number;
  /** buyers ÷ visitors. */
  conversion: number;
  events: number;
  events_by_type: Record<EventType, number>;
}

export interface SimTruth {
  stores: StoreTruth[];
  total: Omit<StoreTruth, 'store_id' | 'conversion' | 'events_by_type'> & { conversion: number; pos_rows: number };
}

type Entry = Timed & ({ kind: 'action'; run: () => void } | { kind: 'event'; store: number; draft: DraftEvent } | { kind: 'pos'; store: number; draft: PosDraft });

const zeroTypes = (): Record<EventType, number> => ({
  ENTRY: 0, EXIT: 0, REENTRY: 0, ZONE_ENTER: 0, ZONE_EXIT: 0, ZONE_DWELL: 0, BILLING_QUEUE_JOIN: 0, BILLING_QUEUE_ABANDON: 0,
});

/** Yields every event and POS row of the run in timestamp order; returns the true counts when done. */
export function* simulate(input: SimConfigInput | SimConfig): Generator<SimItem, SimTruth> {
  const config = parseSimConfig(input);
  const heap = new MinHeap<Entry>();
  let seq = 0;
  const plans = Array.from({ length: config.stores }, (_, i) => storePlan(config, i));
  const rngs = plans.map((p) => createRng(deriveSeed(config.seed, p.storeId)));
  const truths: StoreTruth[] = plans.map((p) => ({
    store_id: p.storeId, visitors: 0, staff: 0, groups: 0, buyers: 0, repeat_purchases: 0, transactions: 0, abandons: 0, conversion: 0, events: 0, events_by_type: zeroTypes(),
  }));
  const sessionSeq = plans.map(() => new Map<string, number>());

  plans.forEach((plan, store) => {
    const agenda: Agenda = {
      at: (t, run) => heap.push({ t, seq: seq++, kind: 'action', run }),
      emit: (t, draft) => heap.push({ t, seq: seq++, kind: 'event', store, draft }),
      pos: (t, draft) => heap.push({ t, seq: seq++, kind: 'pos', store, draft }),
      count: (key, n = 1) => void (truths[store]![key] += n),
    };
    startStore(config, plan, rngs[store]!, agenda);
  });

  for (let e = heap.pop(); e; e = heap.pop()) {
    if (e.kind === 'action') {
      e.run();
      continue;
    }
    const plan = plans[e.store]!;
    const rng = rngs[e.store]!;
    const truth = truths[e.store]!;
    const t = Math.round(e.t);
    if (e.kind === 'pos') {
      truth.transactions++;
      // The seed is part of the id: runs with different seeds into one database never collide on the POS key.
      const id = `TXN_${plan.storeId}_S${config.seed}_${String(truth.transactions).padStart(6, '0')}`;
      yield { kind: 'pos', pos: { transaction_id: id, store_id: plan.storeId, timestamp: new Date(t).toISOString(), basket_value_inr: e.draft.basketValueInr } };
      continue;
    }
    const d = e.draft;
    // session_seq is assigned in emission (= time) order, so it has no gaps and a REENTRY continues the count.
    const n = (sessionSeq[e.store]!.get(d.visitorId) ?? 0) + 1;
    sessionSeq[e.store]!.set(d.visitorId, n);
    truth.events++;
    truth.events_by_type[d.type]++;
    yield {
      kind: 'event',
      event: {
        event_id: rng.uuid(),
        store_id: plan.storeId,
        camera_id: d.cameraId,
        visitor_id: d.visitorId,
        event_type: d.type,
        timestamp: new Date(t).toISOString(),
        zone_id: d.zoneId,
        dwell_ms: Math.round(d.dwellMs),
        is_staff: d.isStaff,
        confidence: Math.round(d.confidence * 1000) / 1000,
        metadata: { queue_depth: d.queueDepth, sku_zone: d.skuZone, session_seq: n, ...d.extra },
      },
    };
  }
  for (const s of truths) s.conversion = s.visitors > 0 ? s.buyers / s.visitors : 0;
  return { stores: truths, total: totalOf(truths) };
}

function totalOf(truths: StoreTruth[]): SimTruth['total'] {
  const sum = (k: 'visitors' | 'staff' | 'groups' | 'buyers' | 'repeat_purchases' | 'transactions' | 'abandons' | 'events') => truths.reduce((a, s) => a + s[k], 0);
  const visitors = sum('visitors');
  return {
    visitors, staff: sum('staff'), groups: sum('groups'), buyers: sum('buyers'), repeat_purchases: sum('repeat_purchases'), transactions: sum('transactions'),
    abandons: sum('abandons'), events: sum('events'), conversion: visitors > 0 ? sum('buyers') / visitors : 0, pos_rows: sum('transactions'),
  };
}

/** Runs `simulate` to the end: everything in memory (tests, small runs). */
export function generateAll(input: SimConfigInput | SimConfig): { events: StoreEvent[]; pos: PosRow[]; truth: SimTruth } {
  const events: StoreEvent[] = [];
  const pos: PosRow[] = [];
  const it = simulate(input);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { events, pos, truth: r.value };
    if (r.value.kind === 'event') events.push(r.value.event);
    else pos.push(r.value.pos);
  }
}

/** POS rows as CSV in data/pos_transactions.csv's columns. */
export function posCsv(rows: readonly PosRow[]): string {
  return ['transaction_id,store_id,timestamp,basket_value_inr', ...rows.map((r) => `${r.transaction_id},${r.store_id},${r.timestamp},${r.basket_value_inr.toFixed(2)}`)].join('\n') + '\n';
}
