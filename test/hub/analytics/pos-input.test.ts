import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parsePosCsv, parsePosJson, POS_CSV_HEADER } from '../../../hub/services/pos-input.js';

describe('POS input parsing', () => {
  it('parses the shipped data/pos_transactions.csv without a single error', () => {
    const text = readFileSync('data/pos_transactions.csv', 'utf8');
    expect(text.split('\n')[0]).to.equal(POS_CSV_HEADER);
    const r = parsePosCsv(text, 'STORE_BLR_002');
    expect(r.errors).to.deep.equal([]);
    expect(r.rows.length).to.be.greaterThan(50);
    expect(new Set(r.rows.map((x) => x.transaction_id)).size).to.equal(r.rows.length);
  });

  it('reports bad rows by line number with the field and reason; keeps good ones; skips blank lines', () => {
    const r = parsePosCsv(
      [POS_CSV_HEADER, 'TX1,S1,2026-03-03T10:00:00+05:30,120.5', '', 'TX2,S1,2026-03-03T10:00:00+05:30,-4', 'TX 3,S1,2026-03-03T10:00:00Z,1', 'just-text'].join('\r\n'),
      'S1',
    );
    expect(r.rows).to.deep.equal([{ transaction_id: 'TX1', store_id: 'S1', ts: Date.parse('2026-03-03T04:30:00Z'), basket_value_inr: 120.5 }]);
    expect(r.errors.map((e) => [e.line, e.field])).to.deep.equal([[4, 'basket_value_inr'], [5, 'transaction_id'], [6, '(row)']]);
  });

  it('reports JSON rows by index', () => {
    const r = parsePosJson([null, { transaction_id: 'A', store_id: 'S2', timestamp: '2026-03-03T10:00:00Z', basket_value_inr: 1 }], 'S1');
    expect(r.errors.map((e) => [e.index, e.field])).to.deep.equal([[0, '(row)'], [1, 'store_id']]);
  });

  it('refuses more than maxRows rows before touching any row, counting rows not errors', () => {
    let touched = 0;
    const spy = () => Object.defineProperty({}, 'transaction_id', { enumerable: true, get: () => (touched++, 'T') });
    expect(() => parsePosJson(Array.from({ length: 11 }, spy), 'S1', { maxRows: 10 })).to.throw(/at most 10 POS rows per request \(got 11\)/);
    expect(touched).to.equal(0);
    const csv = [POS_CSV_HEADER, ...Array.from({ length: 11 }, (_, i) => `T${i},S2,bad,x`)].join('\n');
    expect(() => parsePosCsv(csv, 'S1', { maxRows: 10 })).to.throw(/\(got 11\)/);
    // Exactly at the limit: every row is judged, two errors each still count as one row each.
    const r = parsePosJson(Array.from({ length: 10 }, () => ({ transaction_id: 'T', store_id: 'S1' })), 'S1', { maxRows: 10 });
    expect(r.errors.length).to.equal(20);
  });
});
