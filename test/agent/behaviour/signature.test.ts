import { expect } from 'chai';
import { signatureSchema } from '../../../common/signature.js';
import type { StoreEvent } from '../../../common/event.js';
import { createBehaviour, type Behaviour, type BehaviourOptions, type ReidEmbedder } from '../../../agent/behaviour/index.js';
import { l2normalise } from '../../../agent/behaviour/reid/types.js';
import type { TrackedFrame } from '../../../agent/types.js';
import { counterIds, testStore, timeline, walk } from './scene.js';

/** Stand-in for OSNet (8 dimensions: mean colour and its square, two constants), deterministic. */
const embedder: ReidEmbedder = {
  name: 'test-colour8',
  embed: async (crops) =>
    crops.map((c) => {
      const m = new Float32Array(8);
      for (let i = 0; i < c.rgb.length; i += 3) for (let k = 0; k < 3; k++) m[k] = m[k]! + c.rgb[i + k]! / 255;
      for (let k = 0; k < 3; k++) m[k + 3] = m[k]! ** 2;
      m[6] = 1;
      m[7] = 1;
      return l2normalise(m);
    }),
};

const make = (o: Partial<BehaviourOptions> = {}): Behaviour =>
  createBehaviour({ store: testStore(), cameraId: 'CAM_DOOR', fps: 10, newId: counterIds(), reid: embedder, signatures: true, ...o });

async function run(b: Behaviour, frames: TrackedFrame[]) {
  const events: StoreEvent[] = [];
  const sigs = [];
  for (const f of frames) {
    events.push(...(await b.onFrame(f)));
    sigs.push(...b.takeSignatures());
  }
  events.push(...(await b.flush(frames.at(-1)!.frame.timestampMs)));
  sigs.push(...b.takeSignatures());
  return { events, sigs };
}

describe('agent/behaviour/signature: appearance signatures of ended tracks', () => {
  it('door camera: one signature per visit with its crossings, the visitor id of its events, valid, vector only', async () => {
    const path = [...walk([0.5, 0.97], [0.3, 0.5], 15), ...Array(20).fill([0.3, 0.5]), ...walk([0.3, 0.5], [0.5, 0.97], 15)];
    const b = make();
    const { events, sigs } = await run(b, timeline(path.length + 5, (i) => (i < path.length ? [{ id: 7, x: path[i]![0], y: path[i]![1] }] : [])));
    expect(sigs).to.have.length(1);
    const s = signatureSchema.parse(JSON.parse(JSON.stringify(sigs[0])));
    const entry = events.find((e) => e.event_type === 'ENTRY')!;
    const exit = events.find((e) => e.event_type === 'EXIT')!;
    expect(s.visitor_id).to.equal(entry.visitor_id);
    expect(s.entered_at).to.equal(entry.timestamp);
    expect(s.exited_at).to.equal(exit.timestamp);
    expect(s.entrance_camera).to.equal(true);
    expect(s.model).to.equal('test-colour8');
    expect(s.zones).to.deep.equal(['Z_SHELF']);
    // No pixels: exactly the contract's fields, the embedding a short vector.
    expect(Object.keys(sigs[0]!).sort()).to.deep.equal(Object.keys(s).sort());
    expect(s.embedding).to.have.length(8);
    expect(b.stats().trackParts.signatures).to.equal(0);
  });

  it('zone camera: signatures with zone context and no crossings; people still in view at the end get one too', async () => {
    const b = make({ cameraId: 'CAM_FLOOR' });
    // Person 3 never enters a zone: no events, so no visitor id and nothing to link.
    const people = (i: number) => [...(i < 25 ? [{ id: 1, x: 0.6, y: 0.6 }] : []), { id: 2, x: 0.85, y: 0.5 }, { id: 3, x: 0.2, y: 0.6 }];
    const { events, sigs } = await run(b, timeline(40, people));
    expect(sigs.map((s) => [s.zones, s.entered_at, s.entrance_camera])).to.deep.equal([[['Z_BACK'], null, false], [['Z_BACK'], null, false]]);
    expect(new Set(sigs.map((s) => s.visitor_id))).to.deep.equal(new Set(events.map((e) => e.visitor_id)));
  });

  it('makes none unless asked', async () => {
    const b = make({ signatures: false });
    const { sigs } = await run(b, timeline(30, (i) => (i < 20 ? [{ id: 1, x: 0.3, y: 0.5 }] : [])));
    expect(sigs).to.deep.equal([]);
  });
});
