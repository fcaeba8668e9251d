import { expect } from 'chai';
import { validateEvent, type StoreEvent } from '../../../common/event.js';
import { AppError } from '../../../common/errors.js';
import { createBehaviour, type Behaviour, type BehaviourOptions, type ReidEmbedder } from '../../../agent/behaviour/index.js';
import { l2normalise } from '../../../agent/behaviour/reid/types.js';
import type { TrackedFrame } from '../../../agent/types.js';
import { counterIds, T0, testStore, timeline, walk, type Person } from './scene.js';

/** A deterministic stand-in for OSNet: the embedding is the crop's mean colour (cosine ≈ colour similarity). */
const colourEmbedder: ReidEmbedder = {
  name: 'test-colour',
  embed: async (crops) =>
    crops.map((c) => {
      const m = new Float32Array(3);
      for (let i = 0; i < c.rgb.length; i += 3) for (let k = 0; k < 3; k++) m[k] = m[k]! + c.rgb[i + k]!;
      return l2normalise(m);
    }),
};

function make(opts: Partial<BehaviourOptions> = {}): Behaviour {
  return createBehaviour({ store: testStore(), cameraId: 'CAM_DOOR', fps: 10, newId: counterIds(), reid: colourEmbedder, ...opts });
}

async function run(b: Behaviour, frames: TrackedFrame[], flushMs?: number): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  for (const f of frames) out.push(...(await b.onFrame(f)));
  out.push(...(await b.flush(flushMs ?? frames.at(-1)!.frame.timestampMs)));
  for (const [i, e] of out.entries()) {
    const r = validateEvent(JSON.parse(JSON.stringify(e)), i);
    expect(r, JSON.stringify(r)).to.have.property('event');
  }
  return out;
}

/** A path: walk in from below the door to `spot`, stay `stayFrames`, walk out again. */
function visit(spot: [number, number], stayFrames: number): [number, number][] {
  return [...walk([0.5, 0.97], spot, 15), ...Array(stayFrames).fill(spot), ...walk(spot, [0.5, 0.97], 15)];
}

function person(id: number, path: [number, number][], start: number, i: number, extra: Partial<Person> = {}): Person[] {
  const p = path[i - start];
  return p ? [{ id, x: p[0], y: p[1], ...extra }] : [];
}

const types = (es: StoreEvent[]) => es.map((e) => e.event_type);

describe('agent/behaviour (scripted tracks)', () => {
  it('turns one visit into ENTRY, zone enter/dwell/exit and EXIT, with a gap-free session_seq', async () => {
    const path = visit([0.2, 0.5], 130);
    const events = await run(make(), timeline(path.length + 5, (i) => person(1, path, 0, i)));
    expect(types(events)).to.deep.equal(['ENTRY', 'ZONE_ENTER', 'ZONE_DWELL', 'ZONE_EXIT', 'EXIT']);
    expect(new Set(events.map((e) => e.visitor_id)).size).to.equal(1);
    expect(events[0]!.visitor_id).to.match(/^VIS_[0-9a-f]{6,}$/);
    expect(events.map((e) => e.metadata.session_seq)).to.deep.equal([1, 2, 3, 4, 5]);
    const enter = events[1]!;
    expect(enter).to.include({ zone_id: 'Z_SHELF', camera_id: 'CAM_DOOR', store_id: 'STORE_TEST_01', is_staff: false });
    expect(enter.metadata.sku_zone).to.equal('SNACKS');
    const exit = events[3]!;
    expect(exit.dwell_ms).to.be.within(13_000, 14_500);
    expect(new Set(events.map((e) => e.event_id)).size).to.equal(events.length);
  });

  it('gives three people crossing together three ENTRY events sharing one group_id; a later one has none', async () => {
    const path = (x: number): [number, number][] => [...walk([x, 0.97], [x, 0.6], 15), ...Array(40).fill([x, 0.6])];
    const frames = timeline(120, (i) => [
      ...person(1, path(0.3), 0, i),
      ...person(2, path(0.42), 3, i),
      ...person(3, path(0.54), 8, i),
      ...person(4, path(0.5), 60, i),
    ]);
    const entries = (await run(make(), frames)).filter((e) => e.event_type === 'ENTRY');
    expect(entries).to.have.length(4);
    expect(new Set(entries.map((e) => e.visitor_id)).size).to.equal(4);
    const groups = entries.map((e) => e.metadata['group_id']);
    expect(groups[0]).to.match(/^GRP_/);
    expect(groups.slice(0, 3)).to.deep.equal([groups[0], groups[0], groups[0]]);
    expect(groups[3]).to.equal(undefined);
  });

  it('keeps identity through an occlusion: coasting (even across the line) makes no EXIT/ENTRY pair', async () => {
    const frames = timeline(80, (i) => {
      if (i < 15) return person(1, walk([0.5, 0.97], [0.5, 0.7], 15), 0, i);
      // Hidden for frames 30–44: the tracker coasts a prediction that drifts out past the door line.
      if (i >= 30 && i < 45) return [{ id: 1, x: 0.5, y: 0.7 + (i - 30) * 0.02, state: 'lost' }];
      return [{ id: 1, x: 0.5, y: 0.7 }];
    });
    expect(types(await run(make(), frames))).to.deep.equal(['ENTRY']);
  });

  it('emits events of low-confidence detections with that confidence', async () => {
    const path = walk([0.5, 0.97], [0.5, 0.6], 15);
    const events = await run(make(), timeline(60, (i) => person(1, path.concat(Array(45).fill([0.5, 0.6])), 0, i, { score: 0.31 })));
    expect(types(events)).to.deep.equal(['ENTRY']);
    expect(events[0]!.confidence).to.equal(0.31);
  });

  it('emits nothing for an empty scene, and queue depth stays 0', async () => {
    const b = make();
    expect(await run(b, timeline(200, () => []))).to.deep.equal([]);
    expect(b.queueDepth()).to.equal(0);
    expect(b.stats().frames).to.equal(200);
  });

  it('marks a uniformed person staff from their first event, holding events until the vote settles', async () => {
    const b = make();
    const path = walk([0.5, 0.97], [0.2, 0.5], 15).concat(Array(40).fill([0.2, 0.5]));
    const frames = timeline(55, (i) => person(1, path, 0, i, { rgb: [230, 112, 45] }));
    const perFrame: StoreEvent[][] = [];
    for (const f of frames) perFrame.push(await b.onFrame(f));
    // The crossing happens around frame 12, but nothing is released before the re-id/staff hold ends.
    expect(perFrame.slice(0, 20).flat()).to.deep.equal([]);
    const events = perFrame.flat().concat(await b.flush(T0 + 6000));
    expect(types(events)).to.deep.equal(['ENTRY', 'ZONE_ENTER']);
    expect(events.every((e) => e.is_staff)).to.equal(true);
  });

  it('treats anyone seen in a staff_only zone as staff; a zone camera never emits ENTRY/EXIT', async () => {
    const b = make({ cameraId: 'CAM_FLOOR' });
    const path = [...walk([0.2, 0.7], [0.8, 0.7], 10), ...Array(30).fill([0.8, 0.7])];
    const events = await run(b, timeline(45, (i) => person(1, path, 0, i)));
    expect(types(events)).to.deep.equal(['ZONE_ENTER', 'ZONE_EXIT']);
    expect(events.every((e) => e.is_staff && e.zone_id === 'Z_BACK')).to.equal(true);
    expect(events[0]!.visitor_id).to.match(/^VIS_/);
  });

  it('recognises a returning visitor as REENTRY with the earlier visitor_id and continued session_seq', async () => {
    const red: [number, number, number] = [200, 40, 40];
    const blue: [number, number, number] = [40, 60, 170];
    const path = visit([0.5, 0.6], 20);
    const frames = timeline(200, (i) => [
      ...person(1, path, 0, i, { rgb: red }),
      ...person(2, path, 70, i, { rgb: blue }),
      ...person(3, path, 140, i, { rgb: red }),
    ]);
    const events = await run(make(), frames);
    expect(types(events).filter((t) => t === 'ENTRY' || t === 'REENTRY' || t === 'EXIT')).to.deep.equal([
      'ENTRY', 'EXIT', 'ENTRY', 'EXIT', 'REENTRY', 'EXIT',
    ]);
    const first = events.filter((e) => e.visitor_id === events[0]!.visitor_id);
    expect(types(first)).to.deep.equal(['ENTRY', 'EXIT', 'REENTRY', 'EXIT']);
    expect(first.map((e) => e.metadata.session_seq)).to.deep.equal([1, 2, 3, 4]);
  });

  it('does not claim a re-entry when two look-alikes went out (ambiguous)', async () => {
    const path = visit([0.5, 0.6], 20);
    const frames = timeline(200, (i) => [
      ...person(1, path, 0, i, { rgb: [200, 40, 40] }),
      ...person(2, path, 70, i, { rgb: [200, 48, 40] }),
      ...person(3, path, 140, i, { rgb: [200, 44, 40] }),
    ]);
    const events = await run(make(), frames);
    expect(types(events).filter((t) => t === 'REENTRY')).to.deep.equal([]);
    expect(new Set(events.map((e) => e.visitor_id)).size).to.equal(3);
  });

  it('treats the same track walking back in as REENTRY without re-id', async () => {
    const path = [...walk([0.5, 0.97], [0.5, 0.6], 15), ...walk([0.5, 0.6], [0.5, 0.97], 15), ...walk([0.5, 0.97], [0.5, 0.6], 15)];
    const events = await run(make({ reid: undefined }), timeline(60, (i) => person(1, path, 0, i)));
    expect(types(events)).to.deep.equal(['ENTRY', 'EXIT', 'REENTRY']);
    expect(new Set(events.map((e) => e.visitor_id)).size).to.equal(1);
  });

  it('counts an EXIT for a track whose prediction coasted out past the line before it was dropped', async () => {
    const frames = timeline(60, (i) => {
      if (i < 15) return person(1, walk([0.5, 0.97], [0.5, 0.7], 15), 0, i);
      if (i < 25) return [{ id: 1, x: 0.5, y: 0.7 + (i - 15) * 0.01 }];
      if (i < 35) return [{ id: 1, x: 0.5, y: 0.8 + (i - 25) * 0.02, state: 'lost' }];
      return [];
    });
    expect(types(await run(make(), frames))).to.deep.equal(['ENTRY', 'EXIT']);
  });

  it('reports billing queue joins with the queue depth, abandons, and depth for the heartbeat', async () => {
    const b = make();
    const queueSpot = (x: number): [number, number][] => [...walk([x, 0.97], [x, 0.5], 15), ...Array(70).fill([x, 0.5]), ...walk([x, 0.5], [x, 0.97], 15)];
    const served: [number, number][] = [...walk([0.7, 0.97], [0.7, 0.5], 15), ...Array(30).fill([0.7, 0.5]), ...Array(30).fill([0.9, 0.3]), ...walk([0.9, 0.3], [0.7, 0.97], 15)];
    const frames = timeline(130, (i) => [...person(1, queueSpot(0.65), 0, i), ...person(2, served, 5, i)]);
    const out: StoreEvent[] = [];
    let depthMidway = -1;
    for (const f of frames) {
      out.push(...(await b.onFrame(f)));
      if (f.frame.index === 80) depthMidway = b.queueDepth();
    }
    out.push(...(await b.flush(frames.at(-1)!.frame.timestampMs)));
    expect(depthMidway).to.equal(2);
    const joins = out.filter((e) => e.event_type === 'BILLING_QUEUE_JOIN');
    expect(joins.map((e) => e.metadata.queue_depth)).to.deep.equal([2, 2]);
    const abandons = out.filter((e) => e.event_type === 'BILLING_QUEUE_ABANDON');
    expect(abandons).to.have.length(1);
    expect(abandons[0]!.visitor_id).to.equal(joins[0]!.visitor_id);
    // The served person reached the till before join_ms in the zone had passed: a wait of 0, on the ZONE_EXIT.
    const exits = out.filter((e) => e.event_type === 'ZONE_EXIT' && e.zone_id === joins[0]!.zone_id);
    expect(exits.map((e) => [e.visitor_id, e.metadata.queue_wait_ms])).to.have.deep.members([
      [joins[0]!.visitor_id, undefined],
      [joins[1]!.visitor_id, 0],
    ]);
    expect(b.queueDepth()).to.equal(0);
  });

  it('keeps a shopper standing with the feet jittering across the billing zone edge as one visit and one queue join', async () => {
    // Z_TILL's bottom edge is y = 0.6. She stands at y ≈ 0.55 for 16 s; every 3 s her box bottom drops past the edge
    // for 6 frames (0.605–0.625, within the band), which the old 5-frame exit rule split into separate visits.
    const standing = Array.from({ length: 160 }, (_, i): [number, number] => [0.7, i % 30 < 24 ? 0.55 + 0.02 * Math.sin(i * 2.4) : 0.615 + 0.01 * Math.sin(i)]);
    const path: [number, number][] = [...walk([0.7, 0.97], [0.7, 0.55], 15), ...standing, ...walk([0.7, 0.55], [0.7, 0.97], 15)];
    const events = await run(make(), timeline(path.length + 5, (i) => person(1, path, 0, i)));
    // She queues away from the till (x 0.8–1) and leaves without reaching it: one join, one abandon.
    const zoneEvents = ['ENTRY', 'ZONE_ENTER', 'BILLING_QUEUE_JOIN', 'ZONE_EXIT', 'BILLING_QUEUE_ABANDON', 'EXIT'];
    expect(types(events).filter((t) => t !== 'ZONE_DWELL')).to.deep.equal(zoneEvents);
    const exit = events.find((e) => e.event_type === 'ZONE_EXIT')!;
    // Standing 16 s, plus the stretches of the walks in and out between the inner and outer band edges.
    expect(exit.dwell_ms / 1000).to.be.within(16, 17.5);
  });

  it('does not invent EXIT or ZONE_EXIT at the end of input for people still in view', async () => {
    const path = walk([0.5, 0.97], [0.2, 0.5], 15).concat(Array(20).fill([0.2, 0.5]));
    const events = await run(make(), timeline(35, (i) => person(1, path, 0, i)));
    expect(types(events)).to.deep.equal(['ENTRY', 'ZONE_ENTER']);
  });

  it('answers bad options with errors naming the field', () => {
    expect(() => make({ cameraId: 'CAM_NOPE' })).to.throw(AppError, /cameraId CAM_NOPE.*known: CAM_DOOR, CAM_FLOOR/);
    expect(() => make({ fps: 0 })).to.throw(AppError, /fps: must be a positive number/);
    expect(() => make({ tuning: { entryHoldMs: -1 } })).to.throw(AppError, /entryHoldMs/);
  });

  it('rejects overlapping calls instead of interleaving state', async () => {
    const b = make();
    const f = timeline(1, () => [{ id: 1, x: 0.5, y: 0.6 }])[0]!;
    const first = b.onFrame(f);
    let err: unknown;
    try {
      await b.onFrame(f);
    } catch (e) {
      err = e;
    }
    await first;
    expect(err).to.be.instanceOf(AppError);
  });
});

describe('agent/behaviour id switches (scripted tracks)', () => {
  it('keeps one visitor and one zone visit when the tracker swaps ids mid-stay', async () => {
    // Track 1 stands at the shelf, is lost at frame 40 and removed at 55; track 2 starts at 50 at the same spot.
    const frames = timeline(150, (i) => {
      if (i < 15) return person(1, walk([0.5, 0.97], [0.2, 0.5], 15), 0, i);
      if (i < 40) return [{ id: 1, x: 0.2, y: 0.5 }];
      if (i < 50) return [];
      if (i < 130) return [{ id: 2, x: 0.21, y: 0.51 }];
      return [];
    }, 15);
    const events = await run(make({ cameraId: 'CAM_DOOR' }), frames, T0 + 20_000);
    expect(types(events)).to.deep.equal(['ENTRY', 'ZONE_ENTER', 'ZONE_DWELL', 'ZONE_EXIT']);
    expect(new Set(events.map((e) => e.visitor_id)).size).to.equal(1);
    expect(events.map((e) => e.metadata.session_seq)).to.deep.equal([1, 2, 3, 4]);
  });

  it('counts the EXIT of a person whose new id starts inside the door band (door sides move with the id)', async () => {
    // Track 1 walks in and back to the door, is lost standing in the line's band (y 0.79, band ±0.03); track 2
    // starts there and walks out. Without the door side carried over, track 2's first settled side is outside.
    const inAndBack = [...walk([0.5, 0.97], [0.5, 0.6], 15), ...Array(20).fill([0.5, 0.6]), ...walk([0.5, 0.6], [0.5, 0.79], 10)];
    const frames = timeline(90, (i) => {
      if (i < inAndBack.length) return person(1, inAndBack, 0, i);
      if (i < 50) return [];
      return person(2, walk([0.5, 0.79], [0.5, 0.97], 10), 50, i);
    }, 15);
    const b = make();
    const events = await run(b, frames);
    expect(types(events)).to.deep.equal(['ENTRY', 'EXIT']);
    expect(new Set(events.map((e) => e.visitor_id)).size).to.equal(1);
    expect(b.stats().relinks).to.equal(1);
  });

  it('leaves no per-track state behind once every track has ended (every part is forgotten)', async () => {
    const b = make();
    const queueSpot: [number, number][] = [...walk([0.65, 0.97], [0.65, 0.5], 15), ...Array(70).fill([0.65, 0.5])];
    // Person 1 queues and is dropped by the tracker at the counter; person 2 visits the shelf and leaves by the door.
    const frames = timeline(200, (i) => [...person(1, queueSpot, 0, i), ...person(2, visit([0.2, 0.5], 40), 20, i)], 5);
    await run(b, frames, frames.at(-1)!.frame.timestampMs + 10_000);
    const held = b.stats().trackParts;
    expect(Object.keys(held).sort()).to.deep.equal(['anchors', 'doors', 'queues', 'reid', 'staff', 'zoneAnchors', 'zones']);
    expect(held).to.deep.equal({ doors: 0, zones: 0, queues: 0, staff: 0, anchors: 0, zoneAnchors: 0, reid: 0 });
  });

  it('does not relink a newcomer who appears far from the lost track', async () => {
    const frames = timeline(80, (i) => {
      if (i < 30) return [{ id: 1, x: 0.2, y: 0.5 }];
      if (i >= 35) return [{ id: 2, x: 0.3, y: 0.3 }];
      return [];
    }, 15);
    const events = await run(make(), frames);
    const visitors = [...new Set(events.map((e) => e.visitor_id))];
    expect(visitors).to.have.length(2);
    // The first is closed when nobody took it over; the second is still in view at the end.
    expect(types(events.filter((e) => e.visitor_id === visitors[0]))).to.deep.equal(['ZONE_ENTER', 'ZONE_EXIT']);
    expect(types(events.filter((e) => e.visitor_id === visitors[1]))).to.deep.equal(['ZONE_ENTER']);
  });
});
