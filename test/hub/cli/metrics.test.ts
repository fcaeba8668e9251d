import { expect } from 'chai';
import { isAppError } from '../../../common/errors.js';
import { parseMetricsArgs, runMetricsCli, table } from '../../../hub/cli/metrics.js';
import { startTestHub } from '../../helpers/hub.js';
import { fixtureDay, STORE } from '../dashboard/fixture-day.js';

function rejects(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isAppError(err), String(err)).to.equal(true);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail('expected an error');
}

describe('npm run metrics (hub/cli/metrics.ts)', function () {
  this.timeout(30_000);

  it('names the bad argument', () => {
    rejects(() => parseMetricsArgs([], {}), /--store: required/);
    rejects(() => parseMetricsArgs(['--store', 'bad id'], {}), /--store: must match/);
    rejects(() => parseMetricsArgs(['--store', 'S1', '--hub', 'ftp://x'], {}), /--hub: must be an http/);
    rejects(() => parseMetricsArgs(['--store', 'S1', '--top', '0'], {}), /--top/);
    rejects(() => parseMetricsArgs(['--stor', 'S1'], {}), /Unknown option '--stor'.*usage/);
    expect(parseMetricsArgs(['--store', 'S1'], { HUB_URL: 'http://h:1' })).to.include({ store: 'S1', hub: 'http://h:1', top: 5 });
  });

  it('aligns table columns', () => {
    expect(table(['A', 'Num'], [['x', '5'], ['long', '1,234']]).split('\n')).to.deep.equal(['A     Num', '────  ─────', 'x         5', 'long  1,234']);
  });

  it('prints the metrics, funnel and top zones of a running hub, with the API numbers', async () => {
    const hub = await startTestHub();
    try {
      const day = fixtureDay(Date.now());
      await hub.post('/events/ingest', { events: day.events });
      await hub.post(`/stores/${STORE}/pos`, day.pos);
      const m = await (await fetch(`${hub.url}/stores/${STORE}/metrics`)).json();
      let text = '';
      await runMetricsCli(['--store', STORE, '--hub', hub.url, '--top', '2'], {}, (s) => (text += s));
      expect(text).to.match(new RegExp(`Unique visitors\\s+${m.unique_visitors}\\n`));
      expect(text).to.match(new RegExp(`Purchases\\s+${m.purchased}\\n`));
      expect(text).to.match(new RegExp(`Buying-unit conversion\\s+${(m.buying_unit_conversion_rate * 100).toFixed(1)}%\\n`));
      expect(text).to.match(new RegExp(`Sales\\s+₹${m.sales_total.toLocaleString('en-US', { minimumFractionDigits: 2 })}\\n`));
      expect(text).to.match(/entry\s+24\s+100\.0%/);
      expect(text).to.match(/Z_CERAMICS\s+Ceramics aisle\s+\d+/);
      expect(text.split('\n').filter((l) => /^Z_/.test(l))).to.have.length(2);
      let unknown: unknown;
      await runMetricsCli(['--store', 'NOPE', '--hub', hub.url], {}, () => undefined).catch((e) => (unknown = e));
      expect((unknown as Error).message).to.match(/404: unknown store NOPE/);
    } finally {
      await hub.close();
    }
  });
});
