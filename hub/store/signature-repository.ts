import type { Knex } from 'knex';
import type { Signature } from '../../common/signature.js';
import type { Db } from './db.js';

/** A stored signature as identity resolution reads it. */
export interface SignatureRecord {
  signatureId: string;
  storeId: string;
  cameraId: string;
  visitorId: string;
  model: string;
  embedding: Float32Array;
  entrance: boolean;
  isStaff: boolean;
  firstMs: number;
  lastMs: number;
  enteredMs: number | null;
  exitedMs: number | null;
  /** The resolver's decision: linked, abstained for good, or ambiguous (to be decided once more). */
  outcome: 'linked' | 'abstained' | 'ambiguous' | null;
  linkedTo: string | null;
}

interface Row {
  signature_id: string;
  store_id: string;
  camera_id: string;
  visitor_id: string;
  model: string;
  embedding: string;
  entrance: boolean | number;
  is_staff: boolean | number;
  first_ms: number;
  last_ms: number;
  entered_ms: number | null;
  exited_ms: number | null;
  outcome: string | null;
  linked_to: string | null;
}

/** Float32 little-endian, base64: 512 dimensions → 2.7 kB a row instead of ~10 kB of JSON numbers. */
export function encodeEmbedding(v: readonly number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}
export function decodeEmbedding(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const CHUNK_ROWS = 200;

/**
 * Appearance signatures (biometric data): written by the MQTT consumer, read and marked only by identity
 * resolution, deleted when they expire. No route reads this table. Every call takes an optional transaction
 * so a resolution round reads and decides under one lock.
 */
export function createSignatureRepository(db: Db) {
  const q = (trx?: Knex.Transaction) => (trx ?? db.knex)('visitor_signatures');
  return {
    /** Inserts new signatures; one already stored (same signature_id, e.g. a redelivery) is left as it is. */
    async insert(signatures: readonly { signature: Signature; expiresAt: number }[], receivedAt: number): Promise<{ inserted: number }> {
      let inserted = 0;
      for (let i = 0; i < signatures.length; i += CHUNK_ROWS) {
        const rows = signatures.slice(i, i + CHUNK_ROWS).map(({ signature: s, expiresAt }) => ({
          signature_id: s.signature_id,
          store_id: s.store_id,
          camera_id: s.camera_id,
          visitor_id: s.visitor_id,
          model: s.model,
          embedding: encodeEmbedding(s.embedding),
          entrance: s.entrance_camera,
          is_staff: s.is_staff,
          first_ms: ms(s.first_seen)!,
          last_ms: ms(s.last_seen)!,
          entered_ms: ms(s.entered_at),
          exited_ms: ms(s.exited_at),
          zones: JSON.stringify(s.zones),
          received_at: receivedAt,
          expires_at: expiresAt,
          outcome: null,
          linked_to: null,
        }));
        const before = await this.count(rows.map((r) => r.signature_id));
        await db.knex('visitor_signatures').insert(rows).onConflict('signature_id').ignore();
        inserted += rows.length - before;
      }
      return { inserted };
    },

    async count(ids: readonly string[]): Promise<number> {
      if (ids.length === 0) return 0;
      const r = await q().whereIn('signature_id', ids).count({ n: '*' });
      return Number(r[0]!.n);
    },

    /** A store's live signatures (not expired at `nowMs`), oldest first. */
    async load(storeId: string, nowMs: number, trx?: Knex.Transaction): Promise<SignatureRecord[]> {
      const rows: Row[] = await q(trx).select('*').where('store_id', storeId).andWhere('expires_at', '>', nowMs).orderBy([{ column: 'last_ms' }, { column: 'signature_id' }]);
      return rows.map((r) => ({
        signatureId: r.signature_id,
        storeId: r.store_id,
        cameraId: r.camera_id,
        visitorId: r.visitor_id,
        model: r.model,
        embedding: decodeEmbedding(r.embedding),
        entrance: !!r.entrance,
        isStaff: !!r.is_staff,
        firstMs: Number(r.first_ms),
        lastMs: Number(r.last_ms),
        enteredMs: r.entered_ms === null ? null : Number(r.entered_ms),
        exitedMs: r.exited_ms === null ? null : Number(r.exited_ms),
        outcome: r.outcome as SignatureRecord['outcome'],
        linkedTo: r.linked_to,
      }));
    },

    /** Records the resolver's decisions (a track is decided once). */
    async decide(decisions: readonly { signatureId: string; outcome: NonNullable<SignatureRecord['outcome']>; linkedTo: string | null }[], trx?: Knex.Transaction): Promise<void> {
      for (const d of decisions) {
        await q(trx).update({ outcome: d.outcome, linked_to: d.linkedTo }).where('signature_id', d.signatureId);
      }
    },

    /**
     * Stores with tracks still to decide (non-entrance or leaving tracks, not staff) that have received no
     * signature since `quietSinceMs`: the idle sweep decides what is left of them.
     */
    async idleStoresWithUndecided(quietSinceMs: number, nowMs: number): Promise<string[]> {
      const rows: { store_id: string }[] = await q()
        .distinct('store_id')
        .where((b) => b.whereNull('outcome').orWhere('outcome', 'ambiguous'))
        .andWhere('is_staff', false)
        .andWhere((b) => b.where('entrance', false).orWhereNull('entered_ms'))
        .andWhere('expires_at', '>', nowMs)
        .whereNotExists(function () {
          this.select(1).from('visitor_signatures as newer').whereRaw('newer.store_id = visitor_signatures.store_id').andWhere('newer.received_at', '>', quietSinceMs);
        })
        .orderBy('store_id');
      return rows.map((r) => r.store_id);
    },

    /** Deletes expired signatures (all stores); returns how many. */
    async deleteExpired(nowMs: number): Promise<number> {
      return q().where('expires_at', '<=', nowMs).delete();
    },
  };
}
export type SignatureRepository = ReturnType<typeof createSignatureRepository>;
