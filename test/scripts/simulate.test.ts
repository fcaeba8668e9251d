import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { validateBatch, type StoreEvent } from '../../common/event.js';
import { storeLayoutSchema } from '../../common/layout.js';
import { silentLogger } from '../../common/logger.js';
import { layoutOf, storePlan, parseSimConfig } from '../../scripts/simulate/config.js';
import { generateAll, posCsv, simulate } from '../../scripts/simulate/generator.js';
import { publishItems } from '../../scripts/simulate/publish.js';
import { parseCli, putLayouts } from '../../scripts/simulate.js';
import { runTs } from '../../scripts/lib/child.js';
import { startTestHub } from '../helpers/hub.js';

const START = Date.parse('2026-03-03T04:30:00Z');
const base = { stores: 2, cameras: 3, hours: 4, seed: 11, startMs: START };

function byVisitor(events: StoreEvent[]): Map<string, StoreEvent[]> {
  const m = new Map<string, StoreEvent[]>();
  for (const e of events) m.set(`${e.store_id}/${e.visitor_id}`, [...(m.get(`${e.store_id}/${e.visitor_id}`) ?? []), e]);
  return m;
}

/** The invariants every run must satisfy, whatever the options. */
function checkRun(run: ReturnType<typeof generateAll>): void {
  const { events, pos, truth } = run;
  expect(validateBatch(events).errors).to.deep.equal([]);
  for (let i = 1; i < events.length; i++) expect(events[i]!.timestamp >= events[i - 1]!.timestamp, `order at ${i}`).to.equal(true);
  expect(new Set(events.map((e) => e.event_id)).size).to.equal(events.length);
  const visitors = byVisitor(events);
  for (const [id, list] of visitors) {
    expect(list.map((e) => e.metadata.session_seq), id).to.deep.equal(list.map((_, i) => i + 1));
    expect(list[0]!.event_type, id).to.equal('ENTRY');
    expect(list.at(-1)!.event_type, id).to.equal('EXIT');
    let inside = true;
    const open = new Set<string>();
    for (const e of list.slice(1)) {
      if (e.event_type === 'EXIT') (expect(inside, `${id} EXIT while outside`).to.equal(true), (inside = false), expect([...open], `${id} left with open zones`).to.deep.equal([]));
      else if (e.event_type === 'REENTRY') (expect(inside, `${id} REENTRY while inside`).to.equal(false), (inside = true));
      else expect(inside, `${id} ${e.event_type} while outside`).to.equal(true);
      if (e.event_type === 'ZONE_ENTER') open.add(e.zone_id!);
      if (e.event_type === 'ZONE_EXIT') expect(open.delete(e.zone_id!), `${id} exit of a zone not entered`).to.equal(true);
      if (e.event_type === 'BILLING_QUEUE_JOIN') expect(e.metadata.queue_depth).to.be.at.least(1);
    }
  }
  const shoppers = [...visitors.values()].filter((l) => !l[0]!.is_staff);
  const sum = (k: 'visitors' | 'staff' | 'buyers' | 'repeat_purchases' | 'abandons' | 'transactions') => truth.stores.reduce((a, s) => a + s[k], 0);
  expect(sum('visitors')).to.equal(shoppers.length);
  expect(sum('staff')).to.equal(visitors.size - shoppers.length);
  expect(sum('transactions')).to.equal(pos.length);
  expect(sum('buyers') + sum('repeat_purchases')).to.equal(pos.length);
  expect(sum('abandons')).to.equal(events.filter((e) => e.event_type === 'BILLING_QUEUE_ABANDON').length);
  expect(truth.total.events).to.equal(events.length);
  for (const s of truth.stores) {
    const mine = events.filter((e) => e.store_id === s.store_id);
    expect(s.events).to.equal(mine.length);
    for (const [type, n] of Object.entries(s.events_by_type)) expect(mine.filter((e) => e.event_type === type).length, type).to.equal(n);
  }
  // Every sale happens while a shopper of that store stands in the billing zone.
  for (const p of pos) {
    const t = p.timestamp;
    const atTill = events.some((e) => e.store_id === p.store_id && e.zone_id === 'Z_COUNTER' && e.event_type === 'ZONE_EXIT' && !e.is_staff &&
      new Date(Date.parse(e.timestamp) - e.dwell_ms).toISOString() <= t && e.timestamp >= t);
    expect(atTill, `POS ${p.transaction_id} at ${t} has no shopper at the till`).to.equal(true);
  }
}

describe('simulate: seeded store-day generator', () => {
  it('produces valid, ordered, gap-free journeys whose true counts match the events', () => {
    const run = generateAll(base);
    expect(run.truth.total.visitors).to.be.greaterThan(50);
    expect(run.pos.length).to.be.greaterThan(5);
    checkRun(run);
    const types = new Set(run.events.map((e) => e.event_type));
    for (const t of ['ENTRY', 'EXIT', 'REENTRY', 'ZONE_ENTER', 'ZONE_DWELL', 'ZONE_EXIT', 'BILLING_QUEUE_JOIN']) expect(types.has(t as never), t).to.equal(true);
    expect(run.events.some((e) => e.is_staff)).to.equal(true);
    expect(run.events.some((e) => typeof e.metadata.group_id === 'string')).to.equal(true);
  });

  it('is deterministic for a seed, differs across seeds, and adding stores leaves the first ones unchanged', () => {
    const a = generateAll(base);
    const b = generateAll(base);
    expect(b.events).to.deep.equal(a.events);
    expect(b.pos).to.deep.equal(a.pos);
    const c = generateAll({ ...base, seed: 12 });
    expect(c.events[0]!.event_id).to.not.equal(a.events[0]!.event_id);
    const more = generateAll({ ...base, stores: 3 });
    expect(more.events.filter((e) => e.store_id !== 'STORE_SIM_003')).to.deep.equal(a.events);
  });

  it('abandons the queue when the till is overloaded', () => {
    const run = generateAll({ ...base, stores: 1, visitorsPerHour: 120, buyProbability: 1, serviceMedianS: 240, patienceMeanS: 60 });
    checkRun(run);
    expect(run.truth.total.abandons).to.be.greaterThan(10);
    expect(Math.max(...run.events.map((e) => e.metadata.queue_depth ?? 0))).to.be.greaterThan(2);
  });

  it('holds its invariants for any small configuration (property)', function () {
    this.timeout(60_000);
    fc.assert(
      fc.property(
        fc.record({
          stores: fc.integer({ min: 1, max: 2 }), cameras: fc.integer({ min: 1, max: 4 }), hours: fc.double({ min: 0.2, max: 2, noNaN: true }),
          seed: fc.integer({ min: 0, max: 2 ** 31 }), visitorsPerHour: fc.integer({ min: 0, max: 80 }), staffPerStore: fc.integer({ min: 0, max: 3 }),
          buyProbability: fc.double({ min: 0, max: 1, noNaN: true }), reentryProbability: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        (opts) => checkRun(generateAll({ ...opts, startMs: START })),
      ),
      { numRuns: 40 },
    );
  });

  it('streams lazily: the first event comes before the day is generated', () => {
    const it = simulate({ ...base, stores: 10, hours: 24 });
    const first = it.next();
    expect(first.done).to.equal(false);
  });

  it('rejects bad options with the field named', () => {
    expect(() => parseSimConfig({ startMs: START, stores: 0 })).to.throw(/stores/);
    expect(() => parseCli(['--stores', '2'], START)).to.throw(/--mqtt .* or --out/);
    expect(() => parseCli(['--out', 'x', '--hours', 'abc'], START)).to.throw(/--hours must be a number/);
    expect(() => parseCli(['--out', 'x', '--start', '2026-03-03T10:00:00'], START)).to.throw(/--start must be ISO-8601 with a zone/);
    expect(() => parseCli(['--out', 'x', '--bogus'], START)).to.throw(/bogus/);
    expect(parseCli(['--out', 'x', '--hours', '2'], START).config.startMs).to.equal(START - 2 * 3_600_000);
    expect(parseCli(['--out', 'x', '--speed', '60'], START).config.startMs).to.equal(START);
  });

  it('describes each simulated store with a valid layout and writes POS as CSV', () => {
    const config = parseSimConfig({ ...base, cameras: 4 });
    const layout = layoutOf(storePlan(config, 0));
    expect(storeLayoutSchema.safeParse(layout).success).to.equal(true);
    expect(layout.cameras.map((c) => c.camera_id)).to.deep.equal(['CAM_ENTRY_01', 'CAM_AISLE_01', 'CAM_AISLE_02', 'CAM_AISLE_03']);
    const csv = posCsv([{ transaction_id: 'T1', store_id: 'S', timestamp: '2026-03-03T05:00:00.000Z', basket_value_inr: 12.5 }]);
    expect(csv).to.equal('transaction_id,store_id,timestamp,basket_value_inr\nT1,S,2026-03-03T05:00:00.000Z,12.50\n');
  });

  it('@integration publishes over MQTT into a real hub: every event stored once, and the hub metrics recover the true counts', async function () {
    this.timeout(90_000);
    const hub = await startTestHub();
    try {
      if (hub.mqttPort === null) {
        console.log('      skip: the hub has no embedded broker port in this build');
        return this.skip();
      }
      const config = parseSimConfig({ ...base, hours: 3, startMs: Date.now() - 4 * 3_600_000 });
      const run = generateAll(config);
      await putLayouts(hub.url, config, undefined, (msg) => expect.fail(msg));
      const opts = { mqttUrl: `mqtt://127.0.0.1:${hub.mqttPort}`, hubUrl: hub.url, speed: 0, startMs: config.startMs, batchMax: 100, maxInFlight: 8, logger: silentLogger() };
      const report = await publishItems(simulate(config), opts);
      expect(report.events).to.equal(run.events.length);
      expect(report.posRows).to.equal(run.pos.length);
      const count = () => hub.hub.repos.events.count();
      let stored = 0;
      for (let i = 0; i < 100 && stored < run.events.length; i++) {
        stored = await count();
        if (stored < run.events.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(stored).to.equal(run.events.length);
      const q = `from=${encodeURIComponent(new Date(config.startMs - 60_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}`;
      for (const truth of run.truth.stores) {
        const m = (await (await fetch(`${hub.url}/stores/${truth.store_id}/metrics?${q}`)).json()) as { unique_visitors: number; purchased: number; conversion_rate: number };
        console.log(`      ${truth.store_id}: hub ${m.unique_visitors} visitors, ${m.purchased} bought (${m.conversion_rate}); truth ${truth.visitors}, ${truth.buyers} (${truth.conversion.toFixed(4)})`);
        expect(m.unique_visitors).to.equal(truth.visitors);
        expect(Math.abs(m.purchased - truth.buyers)).to.be.at.most(Math.max(1, 0.03 * truth.buyers));
      }
      // Publishing the same seed again adds nothing: the ids are deterministic and the hub de-duplicates.
      await publishItems(simulate(config), opts);
      await new Promise((r) => setTimeout(r, 300));
      expect(await count()).to.equal(run.events.length);
    } finally {
      await hub.close();
    }
  });

  it('@integration paces publishing by --speed on the injected clock, flushing before each wait', async function () {
    this.timeout(60_000);
    const hub = await startTestHub();
    try {
      if (hub.mqttPort === null) return this.skip();
      const config = parseSimConfig({ ...base, stores: 1, hours: 0.5 });
      const run = generateAll(config);
      let clock = 1_000_000;
      const sleeps: number[] = [];
      const report = await publishItems(simulate(config), {
        mqttUrl: `mqtt://127.0.0.1:${hub.mqttPort}`, speed: 600, startMs: config.startMs, batchMax: 500, maxInFlight: 4, logger: silentLogger(),
        now: () => clock,
        sleep: async (ms) => void (sleeps.push(ms), (clock += ms)),
      });
      const lastTs = Date.parse(run.events.at(-1)!.timestamp);
      const slept = sleeps.reduce((a, b) => a + b, 0);
      // Every item is due at (ts - start) / speed on the wall clock; the fake clock only moves by sleeping.
      expect(slept).to.be.closeTo((lastTs - config.startMs) / 600, 1);
      expect(report.events).to.equal(run.events.length);
      // Flushing before each wait sends small batches as the day unfolds instead of one batch per camera at the end.
      expect(report.batches).to.be.greaterThan(20);
    } finally {
      await hub.close();
    }
  });

  it('the CLI writes events, POS and truth files that agree with the generator, and answers bad input with exit 2', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    try {
      const args = ['--stores', '2', '--hours', '1', '--seed', '3', '--start', '2026-03-03T10:00:00+05:30', '--out', join(dir, 'e.jsonl'), '--pos-out', join(dir, 'p.csv'), '--truth-out', join(dir, 't.json')];
      const ok = runTs('scripts/simulate.ts', args);
      expect((await ok.exited).code, ok.stderr.join('\n')).to.equal(0);
      const expected = generateAll({ stores: 2, hours: 1, seed: 3, startMs: Date.parse('2026-03-03T10:00:00+05:30') });
      const lines = readFileSync(join(dir, 'e.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).to.deep.equal(expected.events);
      expect(readFileSync(join(dir, 'p.csv'), 'utf8')).to.equal(posCsv(expected.pos));
      expect(JSON.parse(readFileSync(join(dir, 't.json'), 'utf8'))).to.deep.equal(expected.truth);
      expect(ok.lines.find((l) => l.event === 'sim_truth')).to.include({ visitors: expected.truth.total.visitors });
      const bad = runTs('scripts/simulate.ts', ['--stores', '0', '--out', join(dir, 'x')]);
      expect((await bad.exited).code).to.equal(2);
      expect(bad.stderr.join('\n')).to.match(/simulator options: stores: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
