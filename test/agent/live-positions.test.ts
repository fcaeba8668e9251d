import { expect } from 'chai';
import { createLivePositions } from '../../agent/live-positions.js';
import { makeEvent } from '../fixtures/events.js';
import { frame } from './behaviour/scene.js';
import type { StoreEvent } from '../../common/event.js';

describe('agent/live-positions: positions only while watched, at a bounded rate', () => {
  it('sends nothing unwatched, then at most max_hz with the events in between, and stops when the lease ends', () => {
    let now = 1_000_000;
    const live = createLivePositions({ now: () => now });
    const f = frame(0, [{ id: 7, x: 0.25, y: 0.5 }, { id: 8, x: 0.6, y: 0.9, state: 'lost' }]);
    const ev = (type: string, zone?: string) => makeEvent({ event_type: type, zone_id: zone ?? null }) as unknown as StoreEvent;
    expect(live.onFrame(f, [ev('ENTRY')])).to.equal(null);

    live.setWatch(Buffer.from(JSON.stringify({ ttl_ms: 10_000, max_hz: 5 })));
    const first = live.onFrame(f, [ev('ZONE_ENTER', 'Z_A')])!;
    expect(first.tracks).to.deep.equal([{ id: 7, x: 0.25, y: 0.5 }]); // tracked people only, anchor = bottom centre
    expect(first.fired).to.deep.equal([{ type: 'ZONE_ENTER', zone_id: 'Z_A' }]);
    now += 100;
    expect(live.onFrame(f, [ev('EXIT')])).to.equal(null); // 10 Hz would be too fast
    now += 100;
    expect(live.onFrame(f, [])!.fired).to.deep.equal([{ type: 'EXIT', zone_id: null }]);
    now += 10_000;
    expect(live.onFrame(f, [])).to.equal(null); // the lease lapsed

    live.setWatch(Buffer.from(JSON.stringify({ ttl_ms: 10_000, max_hz: 5 })));
    expect(live.watched()).to.equal(true);
    live.setWatch(Buffer.alloc(0));
    expect(live.onFrame(f, [])).to.equal(null);
    expect(() => live.setWatch(Buffer.from('{"ttl_ms": 5}'))).to.throw(/watch message: ttl_ms/);
  });
});
