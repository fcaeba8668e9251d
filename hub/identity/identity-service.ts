/**
 * Store-level identity in the hub: takes appearance signatures from the MQTT consumer, keeps them (with their
 * expiry) in visitor_signatures, and runs resolution rounds per store (resolve.ts) that write cross-camera links
 * through the visitor-link repository. A round reads the store's whole state from the database and decides under
 * a per-store lock (PostgreSQL: an advisory transaction lock; SQLite: one process, rounds chained per store), so
 * two hub replicas splitting the signature stream reach the links one hub would (docs/DESIGN.md, "Scale-out").
 */
import type { Knex } from 'knex';
import { signatureSchema, type Signature } from '../../common/signature.js';
import type { Logger } from '../../common/logger.js';
import { todayIn } from '../analytics/window.js';
import { guardDb, type Db } from '../store/db.js';
import { createSignatureRepository, type SignatureRecord } from '../store/signature-repository.js';
import { createVisitorLinkRepository } from '../store/visitor-link-repository.js';
import { resolveRound, type Decision, type ExitOwnersMemo, type IdentityRules, type Sighting } from './resolve.js';

export interface IdentityConfig {
  rules: IdentityRules;
  /** How long a signature is kept (ms); null = until the end of the store's day (its layout's time zone). */
  ttlMs: number | null;
  /** A store that received no signature for this long (ms) has its remaining tracks decided. */
  idleFlushMs: number;
  /** Period (ms) of the sweep that deletes expired signatures and decides idle stores. */
  sweepMs: number;
}

export interface SignatureError {
  index: number;
  signature_id: string | null;
  field: string;
  reason: string;
}

export interface IdentityStats {
  signatures_stored: number;
  signatures_duplicate: number;
  signatures_rejected: number;
  links: number;
  abstentions: number;
  rounds: number;
  expired_deleted: number;
}

export function createIdentityService(deps: {
  db: Db;
  config: IdentityConfig;
  /** The store's IANA time zone (its layout's), for the default expiry; UTC when the store is unknown. */
  timeZoneOf: (storeId: string) => string;
  logger: Logger;
  clock?: () => number;
}) {
  const { db, config } = deps;
  const clock = deps.clock ?? Date.now;
  const log = deps.logger.child({ component: 'identity' });
  const signatures = createSignatureRepository(db);
  const stats: IdentityStats = { signatures_stored: 0, signatures_duplicate: 0, signatures_rejected: 0, links: 0, abstentions: 0, rounds: 0, expired_deleted: 0 };
  const chains = new Map<string, Promise<unknown>>();
  const queued = new Map<string, { flushAll: boolean; promise: Promise<Decision[]> }>();
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<void> | null = null;
  // Per store, the resolver's pure cache of who each leaving track may be (resolve.ts ExitOwnersMemo): rounds
  // decide the same with or without it, so replicas need not share it.
  const memos = new Map<string, ExitOwnersMemo>();
  const memoOf = (storeId: string, records: readonly SignatureRecord[]) => {
    const memo = memos.get(storeId) ?? new Map();
    memos.set(storeId, memo);
    if (memo.size > records.length) {
      const live = new Set(records.map((r) => r.signatureId));
      for (const k of memo.keys()) if (!live.has(k)) memo.delete(k);
    }
    return memo;
  };

  // The end of the store's day in which the signature arrived (a replayed old day still resolves, then goes).
  const expiresAt = (s: Signature, now: number) => (config.ttlMs !== null ? now + config.ttlMs : todayIn(deps.timeZoneOf(s.store_id), now).to);

  /** One round for a store under its lock; returns the decisions made. */
  async function round(storeId: string, flushAll: boolean): Promise<Decision[]> {
    const now = clock();
    // Links of leaving tracks close visitors for the resolver but are not visitor_links (the id of a track that
    // only went out carries no visit to count).
    const save = async (out: Decision[], records: readonly SignatureRecord[], trx: Knex.Transaction) => {
      const leaving = new Set(records.filter((r) => r.entrance && r.enteredMs === null && r.exitedMs !== null).map((r) => r.signatureId));
      if (out.length === 0) return;
      await signatures.decide(
        out.map((d) => ({
          signatureId: d.key,
          outcome: d.kind === 'link' ? 'linked' : d.final ? 'abstained' : 'ambiguous',
          linkedTo: d.kind === 'link' ? d.entranceVisitorId : null,
        })),
        trx,
      );
      const links = out.flatMap((d) => (d.kind === 'link' && !leaving.has(d.key) ? [d] : []));
      await createVisitorLinkRepository({ ...db, knex: trx as unknown as Knex }).saveLinks(
        links.map((l) => ({ store_id: storeId, visitor_id: l.visitorId, entrance_visitor_id: l.entranceVisitorId, camera_id: l.cameraId, score: l.score, linked_at: Math.round(l.atMs) })),
      );
    };
    let decisions: Decision[];
    if (db.dialect === 'pg') {
      // Replicas: read, decide and write under the store's advisory lock (PostgreSQL has connections to spare).
      decisions = await db.knex.transaction(async (trx) => {
        await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`identity:${storeId}`]);
        const records = await signatures.load(storeId, now, trx);
        const out = decide(records, config.rules, flushAll, memoOf(storeId, records));
        await save(out, records, trx);
        return out;
      });
    } else {
      // SQLite: one process, rounds chained per store, so the state cannot change under us; the single connection
      // is held only for the writes, not while the round computes.
      const records = await signatures.load(storeId, now);
      decisions = decide(records, config.rules, flushAll, memoOf(storeId, records));
      if (decisions.length > 0) await db.knex.transaction((trx) => save(decisions, records, trx));
    }
    stats.rounds += 1;
    const linked = decisions.filter((d) => d.kind === 'link').length;
    const abstained = decisions.filter((d) => d.kind === 'abstain' && d.final).length;
    stats.links += linked;
    stats.abstentions += abstained;
    if (decisions.length > 0) log.info({ event: 'identity_round', store_id: storeId, linked, abstained, reconsider: decisions.length - linked - abstained, flush: flushAll }, 'identity resolved');
    return decisions;
  }

  /**
   * Chains rounds per store in this process (a round never overlaps another of the same store here). A burst of
   * messages queues at most one more round: a queued round reads the state as it is when it starts, so one
   * covers every signature stored before it.
   */
  function resolveStore(storeId: string, opts: { flushAll?: boolean } = {}): Promise<Decision[]> {
    const flushAll = !!opts.flushAll;
    const waiting = queued.get(storeId);
    if (waiting && (waiting.flushAll || !flushAll)) return waiting.promise;
    const prev = chains.get(storeId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => {
      if (queued.get(storeId)?.promise === next) queued.delete(storeId);
      return round(storeId, flushAll);
    });
    queued.set(storeId, { flushAll, promise: next });
    chains.set(storeId, next);
    void next.finally(() => chains.get(storeId) === next && chains.delete(storeId)).catch(() => undefined);
    return next;
  }

  async function sweep(): Promise<void> {
    const now = clock();
    const deleted = await signatures.deleteExpired(now);
    stats.expired_deleted += deleted;
    if (deleted > 0) log.info({ event: 'signatures_expired', deleted }, 'expired signatures deleted');
    for (const storeId of await signatures.idleStoresWithUndecided(now - config.idleFlushMs, now)) await resolveStore(storeId, { flushAll: true });
  }

  return {
    /** Validates, stores and schedules resolution; one bad signature never costs another. */
    async ingest(raws: readonly unknown[], source: { storeId: string; cameraId: string }) {
      const errors: SignatureError[] = [];
      const good: Signature[] = [];
      raws.forEach((raw, index) => {
        const r = signatureSchema.safeParse(raw);
        const id = raw && typeof raw === 'object' && typeof (raw as { signature_id?: unknown }).signature_id === 'string' ? String((raw as { signature_id: string }).signature_id).slice(0, 64) : null;
        if (!r.success) {
          for (const i of r.error.issues.slice(0, 5)) errors.push({ index, signature_id: id, field: i.path.join('.') || '(signature)', reason: i.message });
        } else if (r.data.store_id !== source.storeId || r.data.camera_id !== source.cameraId) {
          const field = r.data.store_id !== source.storeId ? 'store_id' : 'camera_id';
          errors.push({ index, signature_id: id, field, reason: `does not match the topic's ${field === 'store_id' ? 'store' : 'camera'}` });
        } else good.push(r.data);
      });
      const now = clock();
      // A database that cannot be reached → DB_UNAVAILABLE: the MQTT message is not acknowledged and comes back.
      const { inserted } = await guardDb(() => signatures.insert(good.map((s) => ({ signature: s, expiresAt: expiresAt(s, now) })), now));
      stats.signatures_stored += inserted;
      stats.signatures_duplicate += good.length - inserted;
      stats.signatures_rejected += new Set(errors.map((e) => e.index)).size;
      if (inserted > 0) {
        resolveStore(source.storeId).catch((err: Error) => log.error({ event: 'identity_round_failed', store_id: source.storeId, err: err.message }, 'identity round failed; retried with the next signature'));
      }
      return { inserted, duplicates: good.length - inserted, errors };
    },
    resolveStore,
    /** Deletes expired signatures and decides the tracks of idle stores (also run by the timer of `start`). */
    sweep: () => (sweeping ??= sweep().finally(() => (sweeping = null))),
    start(): void {
      timer ??= setInterval(() => void this.sweep().catch((err: Error) => log.error({ event: 'identity_sweep_failed', err: err.message })), config.sweepMs);
      timer.unref();
    },
    /** Resolves when every round scheduled so far has finished. */
    async idle(): Promise<void> {
      while (chains.size > 0 || sweeping) await Promise.allSettled([...chains.values(), sweeping]);
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await this.idle();
      log.info({ event: 'identity_closed', ...stats }, 'identity service closed');
    },
    stats: (): IdentityStats => ({ ...stats }),
  };
}
export type IdentityService = ReturnType<typeof createIdentityService>;

/** Cosine of two signatures; signatures of different models (or sizes) are never compared. */
function cosine(a: SignatureRecord, b: SignatureRecord): number {
  if (a.model !== b.model || a.embedding.length !== b.embedding.length) return -1;
  let s = 0;
  for (let i = 0; i < a.embedding.length; i++) s += a.embedding[i]! * b.embedding[i]!;
  return s;
}

/** Pure: the store's records → sightings → one resolution round. */
export function decide(records: readonly SignatureRecord[], rules: IdentityRules, flushAll: boolean, memo?: ExitOwnersMemo): Decision[] {
  const byKey = new Map(records.map((r) => [r.signatureId, r]));
  const sightings: Sighting[] = records.map((r) => ({
    key: r.signatureId,
    visitorId: r.visitorId,
    cameraId: r.cameraId,
    entrance: r.entrance,
    enteredMs: r.enteredMs,
    exitedMs: r.exitedMs,
    firstMs: r.firstMs,
    lastMs: r.lastMs,
    isStaff: r.isStaff,
  }));
  const decided = new Set(records.filter((r) => r.outcome === 'linked' || r.outcome === 'abstained').map((r) => r.signatureId));
  const retry = new Set(records.filter((r) => r.outcome === 'ambiguous').map((r) => r.signatureId));
  const links = records.filter((r) => r.outcome === 'linked' && r.linkedTo).map((r) => ({ key: r.signatureId, cameraId: r.cameraId, entranceVisitorId: r.linkedTo! }));
  return resolveRound({ sightings, decided, retry, links }, (t, a) => cosine(byKey.get(t.key)!, byKey.get(a.key)!), rules, { flushAll, memo });
}
