import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { idSchema, timestampSchema } from '../../common/event.js';
import type { PosTransaction } from '../analytics/types.js';

export const POS_CSV_HEADER = 'transaction_id,store_id,timestamp,basket_value_inr';
const COLUMNS = POS_CSV_HEADER.split(',');

/** One rejected POS row: `line` (CSV, 1 = header) or `index` (JSON array, from 0), the field and why. */
export interface PosRowError {
  line?: number;
  index?: number;
  transaction_id: string | null;
  field: string;
  reason: string;
}

export interface ParsedPos {
  rows: PosTransaction[];
  errors: PosRowError[];
}

const rowSchema = z.object({
  transaction_id: idSchema,
  store_id: idSchema,
  timestamp: timestampSchema,
  basket_value_inr: z.number().finite().min(0).max(1e9),
});

/** CSV cells are text; an amount must look like a number (no "1e3", no "₹", no empty). */
const AMOUNT_RE = /^-?\d+(\.\d+)?$/;

function check(raw: Record<string, unknown>, storeId: string, where: { line?: number; index?: number }): PosTransaction | PosRowError[] {
  const tid = typeof raw.transaction_id === 'string' ? raw.transaction_id.slice(0, 64) : null;
  const r = rowSchema.safeParse(raw);
  if (!r.success) {
    return r.error.issues.map((i) => ({ ...where, transaction_id: tid, field: i.path.join('.') || '(row)', reason: i.message }));
  }
  if (r.data.store_id !== storeId) {
    return [{ ...where, transaction_id: tid, field: 'store_id', reason: `${r.data.store_id} does not match the path's store ${storeId}` }];
  }
  return { transaction_id: r.data.transaction_id, store_id: r.data.store_id, ts: Date.parse(r.data.timestamp), basket_value_inr: r.data.basket_value_inr };
}

function collect(out: ParsedPos, res: PosTransaction | PosRowError[]): void {
  if (Array.isArray(res)) out.errors.push(...res);
  else out.rows.push(res);
}

/** Limits of one POS request; `maxRows` counts rows (not their errors). */
export interface PosLimits {
  maxRows: number;
}

/**
 * Checked before any row is validated: per-row validation of a 4 MB body of a million tiny rows held the event
 * loop for a minute, so the row count is the first thing judged.
 */
function checkRowCount(rows: number, limits: PosLimits): void {
  if (rows > limits.maxRows) {
    throw new AppError('TOO_MANY_EVENTS', `at most ${limits.maxRows} POS rows per request (got ${rows})`, { limit_rows: limits.maxRows });
  }
}

/** Parses a CSV body with the exact header `transaction_id,store_id,timestamp,basket_value_inr`; bad rows by line. */
export function parsePosCsv(text: string, storeId: string, limits: PosLimits = { maxRows: Infinity }): ParsedPos {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').trim();
  if (header !== POS_CSV_HEADER) {
    throw new AppError('BAD_REQUEST', `line 1: header must be exactly "${POS_CSV_HEADER}" (got "${header.slice(0, 80)}")`, { line: 1 });
  }
  let dataLines = 0;
  for (let i = 1; i < lines.length; i++) if (lines[i]!.trim() !== '') dataLines++;
  checkRowCount(dataLines, limits);
  const out: ParsedPos = { rows: [], errors: [] };
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '') continue;
    const line = i + 1;
    const cells = text.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cells.length !== COLUMNS.length) {
      out.errors.push({ line, transaction_id: cells[0] || null, field: '(row)', reason: `expected ${COLUMNS.length} columns, got ${cells.length}` });
      continue;
    }
    const [transaction_id, store_id, timestamp, amount] = cells as [string, string, string, string];
    if (!AMOUNT_RE.test(amount)) {
      out.errors.push({ line, transaction_id: transaction_id || null, field: 'basket_value_inr', reason: `"${amount.slice(0, 20)}" is not a number` });
      continue;
    }
    collect(out, check({ transaction_id, store_id, timestamp, basket_value_inr: Number(amount) }, storeId, { line }));
  }
  return out;
}

/** Parses a JSON array of `{transaction_id, store_id, timestamp, basket_value_inr}`; bad rows by index. */
export function parsePosJson(body: unknown, storeId: string, limits: PosLimits = { maxRows: Infinity }): ParsedPos {
  if (!Array.isArray(body)) throw new AppError('BAD_REQUEST', 'body must be a JSON array of transactions (or text/csv)', { field: '(body)' });
  checkRowCount(body.length, limits);
  const out: ParsedPos = { rows: [], errors: [] };
  body.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      out.errors.push({ index, transaction_id: null, field: '(row)', reason: 'must be an object' });
      return;
    }
    collect(out, check(raw as Record<string, unknown>, storeId, { index }));
  });
  return out;
}
