/**
 * End to end on real footage: ffmpeg → YOLO → ByteTrack (agent/pipeline.ts) → behaviour → events, checked against
 * the by-eye truth in test/fixtures/truth/. Needs STORE_ASSETS_DIR (models + clips); skips, saying why, without.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateEvent, type StoreEvent } from '../../../common/event.js';
import { loadLayoutFile, type StoreLayout } from '../../../common/layout.js';
import { createBehaviour, type ReidEmbedder } from '../../../agent/behaviour/index.js';
import { createOsnetEmbedder } from '../../../agent/behaviour/reid/osnet.js';
import type { TrackedFrame } from '../../../agent/types.js';
import { DEFAULT_DETECTOR_MODEL } from '../../../agent/detector/models.js';

const ASSETS = process.env['STORE_ASSETS_DIR'];
const ROOT = new URL('../../../', import.meta.url);
const TRUTH = new URL('test/fixtures/truth/', ROOT);

/** The vision pipeline's interface (agent/pipeline.ts), imported at run time so this file compiles before it exists. */
interface Pipeline {
  frames(): AsyncIterable<TrackedFrame>;
  stats(): unknown;
  close(): Promise<void> | void;
}
type CreatePipeline = (opts: { source: string; modelPath: string }) => Promise<Pipeline> | Pipeline;

async function loadPipeline(): Promise<CreatePipeline | string> {
  const file = new URL('agent/pipeline.ts', ROOT);
  if (!existsSync(file)) return 'agent/pipeline.ts does not exist yet';
  const mod = (await import(pathToFileURL(file.pathname).href)) as { createPipeline?: CreatePipeline };
  return mod.createPipeline ?? 'agent/pipeline.ts does not export createPipeline';
}

async function runClip(create: CreatePipeline, clip: string, store: StoreLayout, cameraId: string, fps: number, reid?: ReidEmbedder) {
  const pipeline = await create({ source: join(ASSETS!, 'media', clip), modelPath: join(ASSETS!, 'models', DEFAULT_DETECTOR_MODEL) });
  const behaviour = createBehaviour({ store, cameraId, fps, reid });
  const events: StoreEvent[] = [];
  const stepMs: number[] = [];
  let lastMs = 0;
  try {
    for await (const f of pipeline.frames()) {
      const t = performance.now();
      events.push(...(await behaviour.onFrame(f)));
      stepMs.push(performance.now() - t);
      lastMs = f.frame.timestampMs;
    }
  } finally {
    await pipeline.close();
  }
  events.push(...(await behaviour.flush(lastMs)));
  // A figure, not an assertion: the behaviour layer's share of the frame budget, next to the model's (same run).
  stepMs.sort((a, b) => a - b);
  const mean = stepMs.reduce((a, b) => a + b, 0) / Math.max(1, stepMs.length);
  const p99 = stepMs[Math.floor(stepMs.length * 0.99)] ?? 0;
  const infer = (pipeline.stats() as { inferMsMean?: number }).inferMsMean ?? NaN;
  console.log(
    `      ${clip}: behaviour ${mean.toFixed(2)} ms/frame mean, p99 ${p99.toFixed(2)} ms, max ${(stepMs.at(-1) ?? 0).toFixed(1)} ms; ` +
      `model ${infer.toFixed(1)} ms/inference; behaviour/model = ${(mean / infer).toFixed(3)}; budget ${(1000 / fps).toFixed(0)} ms/frame`,
  );
  return { events, stats: behaviour.stats() };
}

function checkContract(events: StoreEvent[]): void {
  events.forEach((e, i) => expect(validateEvent(JSON.parse(JSON.stringify(e)), i)).to.have.property('event'));
  const seqs = new Map<string, number[]>();
  for (const e of events) seqs.set(e.visitor_id, [...(seqs.get(e.visitor_id) ?? []), e.metadata.session_seq]);
  for (const [visitor, s] of seqs) expect(s, visitor).to.deep.equal(s.map((_, i) => i + 1));
}

function summary(events: StoreEvent[]): string {
  const t0 = events.length ? Date.parse(events[0]!.timestamp) : 0;
  return events
    .map((e) => `${((Date.parse(e.timestamp) - t0) / 1000).toFixed(1).padStart(6)} ${e.event_type.padEnd(22)} ${e.visitor_id} ${e.zone_id ?? '-'} dwell=${e.dwell_ms} seq=${e.metadata.session_seq}`)
    .join('\n');
}

describe('agent/behaviour end to end on real footage @integration', function () {
  this.timeout(600_000);
  let create: CreatePipeline;
  let store: StoreLayout;

  before(async function () {
    if (!ASSETS || !existsSync(join(ASSETS, 'models', DEFAULT_DETECTOR_MODEL))) {
      console.log(`skipping: STORE_ASSETS_DIR (${ASSETS ?? 'unset'}) has no models/${DEFAULT_DETECTOR_MODEL}`);
      this.skip();
    }
    const loaded = await loadPipeline();
    if (typeof loaded === 'string') {
      console.log(`skipping: ${loaded}`);
      this.skip();
    }
    create = loaded as CreatePipeline;
    store = loadLayoutFile(new URL('data/store_layout.json', ROOT).pathname).stores[0]!;
  });

  it('one-by-one: one ENTRY and EXIT per person, one counter visit each with the dwell seen by eye, no REENTRY', async function () {
    const clip = 'one-by-one-person-detection.mp4';
    const osnet = join(ASSETS!, 'models/osnet_x0_25_msmt17.onnx');
    if (!existsSync(join(ASSETS!, 'media', clip)) || !existsSync(osnet)) {
      console.log(`skipping: needs media/${clip} and models/osnet_x0_25_msmt17.onnx in STORE_ASSETS_DIR`);
      this.skip();
    }
    const truth = JSON.parse(readFileSync(new URL('one-by-one-behaviour.json', TRUTH), 'utf8')) as {
      people: { table_s: number }[];
    };
    const { events, stats } = await runClip(create, clip, store, 'CAM_ENTRY_01', 10, await createOsnetEmbedder(osnet));
    console.log(summary(events));
    console.log(JSON.stringify(stats));
    checkContract(events);
    const count = (t: string) => events.filter((e) => e.event_type === t).length;
    expect(count('REENTRY'), 'REENTRY').to.equal(0);
    expect(count('ENTRY'), 'ENTRY').to.equal(truth.people.length);
    expect(count('EXIT'), 'EXIT').to.equal(truth.people.length);
    const visits = events.filter((e) => e.event_type === 'ZONE_EXIT' && e.zone_id === 'Z_COUNTER');
    expect(visits, 'counter visits').to.have.length(truth.people.length);
    expect(new Set(visits.map((v) => v.visitor_id)).size).to.equal(truth.people.length);
    visits.forEach((v, i) => expect(v.dwell_ms / 1000, `person ${i + 1} dwell (s)`).to.be.closeTo(truth.people[i]!.table_s, 2));
  });

  it('store aisle: no duplicate visitors for the shoppers in view, and no door events on a zone camera', async function () {
    const clip = 'store-aisle-detection.gif';
    if (!existsSync(join(ASSETS!, 'media', clip))) {
      console.log(`skipping: needs media/${clip} in STORE_ASSETS_DIR`);
      this.skip();
    }
    const truth = JSON.parse(readFileSync(new URL('store-aisle-behaviour.json', TRUTH), 'utf8')) as {
      expected: { distinct_visitors_max: number };
    };
    const { events, stats } = await runClip(create, clip, store, 'CAM_AISLE_01', 15);
    console.log(summary(events));
    console.log(JSON.stringify(stats));
    checkContract(events);
    expect(events.some((e) => e.is_staff), 'shoppers marked staff').to.equal(false);
    expect(events.filter((e) => ['ENTRY', 'EXIT', 'REENTRY'].includes(e.event_type))).to.deep.equal([]);
    const visitors = new Set(events.map((e) => e.visitor_id));
    expect(visitors.size, 'distinct visitors').to.be.within(1, truth.expected.distinct_visitors_max);
  });

  it('worker zone: the hi-vis worker is staff by uniform colour alone, on every event from the first', async function () {
    const clip = 'worker-zone-detection.gif';
    if (!existsSync(join(ASSETS!, 'media', clip))) {
      console.log(`skipping: needs media/${clip} in STORE_ASSETS_DIR`);
      this.skip();
    }
    // The sample layout puts a staff_only zone where the worker walks, which would make them staff by itself;
    // here the whole floor is a plain display zone, so only the torso colour vote can say "staff".
    const floorOnly: StoreLayout = {
      ...store,
      cameras: [{ camera_id: 'CAM_FLOOR_01', door_lines: [], zones: [{ ...store.cameras[0]!.zones[0]!, zone_id: 'Z_DISPLAY', polygon: [[0, 0.3], [1, 0.3], [1, 1], [0, 1]], service_zone: undefined }] }],
    };
    const { events, stats } = await runClip(create, clip, floorOnly, 'CAM_FLOOR_01', 15);
    console.log(summary(events));
    console.log(JSON.stringify(stats));
    checkContract(events);
    expect(events, 'events').to.not.be.empty;
    expect(events.filter((e) => !e.is_staff), 'events not marked staff').to.deep.equal([]);
  });
});
