/**
 * npm run pos:import -- <file.csv> [--hub http://127.0.0.1:8000] [--api-key KEY] [--shift-to ISO --shift-from ISO]
 *
 * Posts a POS CSV (header `transaction_id,store_id,timestamp,basket_value_inr`) to a running hub's
 * POST /stores/:id/pos, one request per store and per 5,000 rows. It goes through the hub rather than writing
 * DATABASE_URL directly so there is one validation path, one idempotency rule and one `pos_stored` notification
 * (the live dashboard updates), and so it works against a hub on another machine. API key: --api-key or
 * HUB_API_KEY (needs an ingest or admin key when the hub requires keys).
 * --shift-from/--shift-to move every timestamp by (to − from): the demo uses it to land the file's clip-aligned
 * rows on its own start time. Prints one JSON summary; bad rows are listed with their line in the file.
 * Exit codes: 0 all rows stored or already there, 1 some rows rejected or the hub refused, 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../../common/errors.js';
import { POS_CSV_HEADER, type PosRowError } from '../services/pos-input.js';

const ROWS_PER_REQUEST = 5000;

interface Chunk {
  storeId: string;
  /** File line number of each data row, in order. */
  lines: number[];
  rows: string[];
}

/** Splits the file per store (the route is per store) and into request-sized chunks, keeping file line numbers. */
export function chunkCsv(text: string, shiftMs = 0): Chunk[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if ((lines[0] ?? '').trim() !== POS_CSV_HEADER) {
    throw new AppError('BAD_REQUEST', `line 1: header must be exactly "${POS_CSV_HEADER}"`);
  }
  const byStore = new Map<string, Chunk[]>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (i === 0 || line === '') return;
    const cells = line.split(',');
    const storeId = (cells[1] ?? '').trim() || '(missing)';
    if (shiftMs !== 0 && cells.length === 4) {
      const t = Date.parse(cells[2]!.trim());
      if (Number.isFinite(t)) cells[2] = new Date(t + shiftMs).toISOString();
    }
    const chunks = byStore.get(storeId) ?? [];
    let last = chunks[chunks.length - 1];
    if (!last || last.rows.length >= ROWS_PER_REQUEST) chunks.push((last = { storeId, lines: [], rows: [] }));
    last.lines.push(i + 1);
    last.rows.push(cells.join(','));
    byStore.set(storeId, chunks);
  });
  return [...byStore.values()].flat();
}

async function main(argv: string[]): Promise<number> {
  const { values: a, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hub: { type: 'string', default: 'http://127.0.0.1:8000' },
      'api-key': { type: 'string' },
      'shift-from': { type: 'string' },
      'shift-to': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) throw new AppError('BAD_REQUEST', 'usage: npm run pos:import -- <file.csv> [--hub URL] [--api-key KEY]');
  let shiftMs = 0;
  if (a['shift-from'] || a['shift-to']) {
    const from = Date.parse(a['shift-from'] ?? '');
    const to = Date.parse(a['shift-to'] ?? '');
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new AppError('BAD_REQUEST', '--shift-from and --shift-to: give both, as ISO-8601');
    shiftMs = to - from;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${file}: cannot read (${(err as Error).message})`);
  }
  const key = a['api-key'] ?? process.env.HUB_API_KEY;
  const summary = { file, inserted: 0, duplicates: 0, errors: [] as PosRowError[], refused: [] as string[] };
  for (const chunk of chunkCsv(text, shiftMs)) {
    const res = await fetch(`${a.hub!.replace(/\/$/, '')}/stores/${encodeURIComponent(chunk.storeId)}/pos`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: [POS_CSV_HEADER, ...chunk.rows].join('\n'),
    }).catch((err: Error) => {
      throw new AppError('BAD_REQUEST', `--hub ${a.hub}: cannot reach the hub (${err.message})`);
    });
    const body = (await res.json().catch(() => ({}))) as { inserted?: number; duplicates?: number; errors?: PosRowError[]; error?: { message: string } };
    if (!res.ok) {
      summary.refused.push(`store ${chunk.storeId} (lines ${chunk.lines[0]}–${chunk.lines[chunk.lines.length - 1]}): HTTP ${res.status} ${body.error?.message ?? ''}`.trim());
      continue;
    }
    summary.inserted += body.inserted ?? 0;
    summary.duplicates += body.duplicates ?? 0;
    // The hub numbers lines within the request (header = 1); map them back to the file.
    for (const e of body.errors ?? []) summary.errors.push({ ...e, line: e.line ? chunk.lines[e.line - 2] : undefined });
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return summary.errors.length > 0 || summary.refused.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`pos:import: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
      process.exit(2);
    },
  );
}
