import { expect } from 'chai';
import { computeMetrics } from '../../../hub/analytics/metrics.js';
import { dayBuckets, localIso, REPORT_COLUMNS, toReportCsv } from '../../../hub/analytics/report-csv.js';

describe('report CSV', () => {
  it('writes store local time with the offset, also west of UTC and across a DST change', () => {
    const t = Date.parse('2026-03-03T04:30:00Z');
    expect(localIso(t, 'Asia/Kolkata')).to.equal('2026-03-03T10:00:00+05:30');
    expect(localIso(t, 'America/New_York')).to.equal('2026-03-02T23:30:00-05:00');
    // 2026-03-08 is 23 hours long in New York: the day buckets follow local midnights, not 24 h steps.
    const from = Date.parse('2026-03-07T05:00:00Z');
    const days = dayBuckets({ from, to: from + 3 * 86_400_000 }, 'America/New_York');
    expect(days.map((d) => localIso(d.from, 'America/New_York'))).to.deep.equal([
      '2026-03-07T00:00:00-05:00', '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', '2026-03-10T00:00:00-04:00',
    ]);
    expect(days[1]!.to - days[1]!.from).to.equal(23 * 3_600_000);
  });

  it('RFC 4180: header row, CRLF, empty cell for a missing figure, every metric as a column', () => {
    const w = { from: Date.parse('2026-03-03T04:30:00Z'), to: Date.parse('2026-03-03T05:30:00Z') };
    const m = computeMetrics({ window: w, at: w.to, visitors: [], presences: [], transactions: [], queue: [], zoneDwell: [{ sum_ms: 0, n: 0 }], staffEvents: [0], doors: [], queueEvents: [] });
    const csv = toReportCsv([m], 'Asia/Kolkata');
    const [header, row, end] = csv.split('\r\n');
    expect(end).to.equal('');
    expect(header!.split(',')).to.deep.equal(['from', 'to', ...REPORT_COLUMNS.map(([n]) => n)]);
    expect(row!.startsWith('2026-03-03T10:00:00+05:30,2026-03-03T11:00:00+05:30,0,0,0,')).to.equal(true);
    expect(row!.split(',')[REPORT_COLUMNS.findIndex(([n]) => n === 'queue_wait_p90_ms') + 2]).to.equal('');
    // Every numeric field of the JSON is a column (queue waits flattened): a new metric cannot be forgotten here.
    const flat = Object.entries(m).flatMap(([k, v]) => (k === 'window' ? [] : typeof v === 'object' ? Object.keys(v as object).map((s) => `${k}.${s}`) : [k]));
    expect(REPORT_COLUMNS.length).to.equal(flat.length);
  });
});
