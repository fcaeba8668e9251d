import { eventKey } from './event-row.js';
import { placeholders, type Binding, type WriteExec } from './write-tx.js';

/** A de-duplication key claimed in the current transaction: its event's row and id. */
export interface KeyClaim {
  key: bigint;
  row: number;
  eventId: string;
}

/**
 * Where the keys of the newest events are held until the next fold moves them into event_keys (in key order, so each
 * page of that big B-tree is rewritten once per fold rather than once per commit). The de-duplication rule itself is
 * one (event-write.ts); this is only where its recent half lives, which differs by database.
 */
export interface RecentKeys {
  /** The event ids holding any of `keys`, in event_keys or among the recent keys (decimal key → ids). */
  holders(exec: WriteExec, keys: bigint[]): Promise<{ k: string; event_id: string }[]>;
  /** Records the keys this transaction claims. */
  claim(exec: WriteExec, claims: KeyClaim[]): Promise<void>;
  /** Moves every recent key into event_keys, inside the folding transaction. */
  merge(exec: WriteExec): Promise<void>;
  /** The transaction that made the calls above committed (true) or rolled back (false). */
  settle(committed: boolean): void;
}

/** Keys per statement: 2 bindings each stays under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

async function insertKeys(exec: WriteExec, table: string, pairs: [bigint, number][], onConflict: string): Promise<void> {
  // Keys in key order: the B-tree is walked once per statement rather than hopped around.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 0; i < pairs.length; i += CHUNK) {
    const chunk = pairs.slice(i, i + CHUNK);
    await exec.run(`INSERT INTO ${table} (k, event_row) VALUES ${Array(chunk.length).fill('(?,?)').join(',')}${onConflict}`, chunk.flat() as Binding[]);
  }
}

/**
 * PostgreSQL: the recent keys are a small table, event_keys_recent, shared by every hub replica (they take turns
 * under the events-write lock, so all see the same keys).
 */
export function tableRecentKeys(): RecentKeys {
  return {
    holders: (exec, keys) =>
      exec.all(
        `SELECT CAST(ek.k AS TEXT) AS k, e.event_id FROM (SELECT k, event_row FROM event_keys WHERE k IN (${placeholders(keys.length)})
           UNION ALL SELECT k, event_row FROM event_keys_recent WHERE k IN (${placeholders(keys.length)})) AS ek JOIN events e ON e.id = ek.event_row`,
        [...keys, ...keys]),
    claim: (exec, claims) => insertKeys(exec, 'event_keys_recent', claims.map((c) => [c.key, c.row]), ''),
    async merge(exec) {
      // A key already in event_keys cannot be recent (the lookup covers both tables, and event writes never
      // overlap); were one there anyway, the older claim is kept rather than failing every later write.
      await exec.run('INSERT INTO event_keys (k, event_row) SELECT k, event_row FROM event_keys_recent WHERE true ORDER BY k ON CONFLICT (k) DO NOTHING', []);
      await exec.run('DELETE FROM event_keys_recent', []);
    },
    settle: () => undefined,
  };
}

/** rollup_state row holding the highest events.id whose key is in event_keys (SQLite). */
export const KEYS_MERGED_STATE = 'event_keys';

/**
 * SQLite: one connection writes, so the recent keys live in its memory, and a commit writes no key pages at all
 * (a table of random keys is rewritten almost whole by every commit: docs/CHOICES.md, "Fewer pages per commit"). The
 * memory is only a cache: the recent keys are those of the events past the `event_keys` mark in rollup_state, read
 * back on the first write after a start. Claims join the memory only once their transaction commits.
 */
export function memoryRecentKeys(): RecentKeys {
  /** Key → the first event holding it among the events past the mark. */
  let held: Map<bigint, { row: number; eventId: string }> | null = null;
  let pending: KeyClaim[] = [];
  let merged = false;

  async function load(exec: WriteExec): Promise<Map<bigint, { row: number; eventId: string }>> {
    if (held) return held;
    const rows = await exec.all<{ id: number | bigint; event_id: string }>(
      `SELECT id, event_id FROM events WHERE id > COALESCE((SELECT last_event_row FROM rollup_state WHERE name = ?), 0) ORDER BY id`,
      [KEYS_MERGED_STATE]);
    const map = new Map<bigint, { row: number; eventId: string }>();
    // The first event of a key holds it; a later one with the same key was a collision, claimed by its text.
    for (const r of rows) {
      const key = eventKey(r.event_id);
      if (!map.has(key)) map.set(key, { row: Number(r.id), eventId: r.event_id });
    }
    return (held = map);
  }

  return {
    async holders(exec, keys) {
      const memory = await load(exec);
      const out = await exec.all<{ k: string; event_id: string }>(
        `SELECT CAST(ek.k AS TEXT) AS k, e.event_id FROM event_keys ek JOIN events e ON e.id = ek.event_row WHERE ek.k IN (${placeholders(keys.length)})`, keys);
      for (const k of keys) {
        const h = memory.get(k);
        if (h) out.push({ k: k.toString(), event_id: h.eventId });
      }
      return out;
    },
    async claim(exec, claims) {
      await load(exec);
      pending.push(...claims);
    },
    async merge(exec) {
      const memory = await load(exec);
      const pairs: [bigint, number][] = [...memory].map(([k, h]) => [k, h.row]);
      for (const c of pending) pairs.push([c.key, c.row]);
      await insertKeys(exec, 'event_keys', pairs, ' ON CONFLICT (k) DO NOTHING');
      await exec.run(
        `INSERT INTO rollup_state (name, last_event_row) VALUES (?, (SELECT COALESCE(MAX(id), 0) FROM events))
           ON CONFLICT (name) DO UPDATE SET last_event_row = excluded.last_event_row`, [KEYS_MERGED_STATE]);
      merged = true;
    },
    settle(committed) {
      if (committed && held) {
        if (merged) held.clear();
        else for (const c of pending) if (!held.has(c.key)) held.set(c.key, { row: c.row, eventId: c.eventId });
      }
      pending = [];
      merged = false;
    },
  };
}
