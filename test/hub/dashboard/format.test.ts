import { expect } from 'chai';
import { ago, dropOff, duration, heatColor, integer, percent } from '../../../hub/dashboard/src/format.js';
import { nextDay, toSearch, windowQuery } from '../../../hub/dashboard/src/time-window.js';

describe('dashboard formatting and windows (pure browser code)', () => {
  it('formats numbers, rates and durations', () => {
    expect([integer(1234.4), integer(NaN), percent(0.4567), percent(Infinity)]).to.deep.equal(['1,234', '–', '45.7%', '–']);
    expect([duration(44_600), duration(60_000), duration(725_000), duration(3_600_000), duration(4_800_000), duration(-1)]).to.deep.equal(['45 s', '1 min', '12 min 5 s', '1 h', '1 h 20 min', '–']);
    expect([dropOff(24, 18), dropOff(0, 0)]).to.deep.equal(['−25.0%', '']);
    const now = Date.parse('2026-03-03T10:00:00Z');
    expect([ago('2026-03-03T09:59:30Z', now), ago('2026-03-03T09:50:00Z', now), ago('2026-03-03T07:00:00Z', now), ago('x', now)]).to.deep.equal(['30 s ago', '10 min ago', '3 h ago', '–']);
    expect([heatColor(0), heatColor(1), heatColor(2, 0.5)]).to.deep.equal(['rgba(255,255,204,1)', 'rgba(128,0,38,1)', 'rgba(128,0,38,0.5)']);
  });

  it('turns the window picker into the from/to the API takes', () => {
    const now = Date.parse('2026-03-03T10:07:30Z');
    expect(windowQuery('today', now)).to.deep.equal({});
    expect(windowQuery('last_hour', now)).to.deep.equal({ from: '2026-03-03T09:07:00.000Z', to: '2026-03-03T10:09:00.000Z' });
    expect(windowQuery('custom', now, { from: '2026-02-27', to: '2026-02-28' })).to.deep.equal({ from: '2026-02-27', to: '2026-03-01' });
    expect(windowQuery('custom', now, { from: '', to: '' })).to.deep.equal({});
    expect(nextDay('2024-12-31')).to.equal('2025-01-01');
    expect(toSearch({ from: 'a b' }, { x: '1' })).to.equal('?from=a+b&x=1');
    expect(toSearch({})).to.equal('');
  });
});
