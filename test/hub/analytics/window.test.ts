import { expect } from 'chai';
import { hourBuckets, midnightsOf, parseInstant, resolveWindow, todayIn } from '../../../hub/analytics/window.js';
import { dayBuckets } from '../../../hub/analytics/report-csv.js';

const KOL = 'Asia/Kolkata';

describe('analytics windows', () => {
  it('today in the store’s zone runs from local midnight to the next', () => {
    const now = Date.parse('2026-03-03T20:00:00Z'); // already 4 March, 01:30 in Bengaluru
    const w = todayIn(KOL, now);
    expect([new Date(w.from).toISOString(), new Date(w.to).toISOString()]).to.deep.equal(['2026-03-03T18:30:00.000Z', '2026-03-04T18:30:00.000Z']);
  });

  it('handles a DST day (23 hours in Europe/Berlin on 29 March 2026)', () => {
    const w = todayIn('Europe/Berlin', Date.parse('2026-03-29T12:00:00Z'));
    expect((w.to - w.from) / 3_600_000).to.equal(23);
  });

  it('parses dates, zoned date-times and epoch ms; names the field of a bad one', () => {
    expect(parseInstant('2026-03-03', 'from', KOL)).to.equal(Date.parse('2026-03-02T18:30:00Z'));
    expect(parseInstant('2026-03-03T10:00:00+05:30', 'from', KOL)).to.equal(Date.parse('2026-03-03T04:30:00Z'));
    expect(parseInstant(5, 'from', KOL)).to.equal(5);
    for (const bad of ['2026-02-30', '2026-03-03T10:00:00', 'today', '']) {
      expect(() => parseInstant(bad, 'to', KOL), bad).to.throw(/^to: /);
    }
  });

  it('one bound gives a one-day window; reversed or huge windows are refused', () => {
    const w = resolveWindow({ from: '2026-03-03' }, KOL, 0);
    expect(w.to - w.from).to.equal(86_400_000);
    expect(() => resolveWindow({ from: '2026-03-04', to: '2026-03-03' }, KOL, 0)).to.throw(/to must be after from/);
    expect(() => resolveWindow({ from: '2020-01-01', to: '2026-01-01' }, KOL, 0)).to.throw(/longer than/);
  });

  it('hour buckets follow local hours (UTC+05:30), trimming partial ends', () => {
    const b = hourBuckets({ from: Date.parse('2026-03-03T04:15:00Z'), to: Date.parse('2026-03-03T06:00:00Z') }, KOL);
    expect(b.map((x) => [new Date(x.from).toISOString().slice(11, 16), new Date(x.to).toISOString().slice(11, 16)])).to.deep.equal([
      ['04:15', '04:30'],
      ['04:30', '05:30'],
      ['05:30', '06:00'],
    ]);
  });

  it('lists the local midnights a count restarts at: the one before the window, then each one inside it, DST days too', () => {
    // Kolkata (+05:30): 10:00 on the 1st to 10:00 on the 3rd.
    const w = { from: Date.parse('2026-03-01T04:30:00Z'), to: Date.parse('2026-03-03T04:30:00Z') };
    expect(midnightsOf(w, 'Asia/Kolkata')).to.deep.equal({
      dayStart: Date.parse('2026-02-28T18:30:00Z'),
      within: [Date.parse('2026-03-01T18:30:00Z'), Date.parse('2026-03-02T18:30:00Z')],
    });
    // A window starting at midnight has nothing before it; Berlin's 23-hour day (clocks forward on 29 March).
    const berlin = { from: Date.parse('2026-03-28T23:00:00Z'), to: Date.parse('2026-03-30T12:00:00Z') };
    expect(midnightsOf(berlin, 'Europe/Berlin')).to.deep.equal({ dayStart: berlin.from, within: [Date.parse('2026-03-29T22:00:00Z')] });
  });

  it('where clocks jump forward at midnight, the day starts at the jump (01:00) and lasts 23 hours, and walks over days end', () => {
    // America/Santiago, 6 Sept 2026: 00:00 (−04) becomes 01:00 (−03); America/Havana, 8 March 2026: the same at −05/−04.
    for (const [tz, day, start, dayBefore] of [
      ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00Z', '2026-09-05T04:00:00Z'],
      ['America/Havana', '2026-03-08', '2026-03-08T05:00:00Z', '2026-03-07T05:00:00Z'],
    ] as const) {
      const noon = Date.parse(start) + 11 * 3_600_000;
      expect(todayIn(tz, noon).from, `${tz} today`).to.equal(Date.parse(start));
      expect(todayIn(tz, Date.parse(dayBefore) + 3_600_000).to, `${tz} the day before ends at the jump`).to.equal(Date.parse(start));
      expect(parseInstant(day, 'from', tz)).to.equal(Date.parse(start));
      // The day before, the 23-hour day of the jump, and the day after: to the midnight after those.
      const twoDays = { from: Date.parse(dayBefore), to: Date.parse(start) + 47 * 3_600_000 };
      expect(midnightsOf(twoDays, tz).within[0], `${tz} midnights`).to.equal(Date.parse(start));
      expect(midnightsOf(twoDays, tz).within).to.have.length(2);
      expect(dayBuckets(twoDays, tz).map((b) => (b.to - b.from) / 3_600_000), `${tz} day lengths`).to.deep.equal([24, 23, 24]);
      expect(resolveWindow({}, tz, noon)).to.deep.equal({ from: Date.parse(start), to: Date.parse(start) + 23 * 3_600_000 });
    }
  });
});
