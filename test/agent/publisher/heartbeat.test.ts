import { expect } from 'chai';
import { buildStatus, startHeartbeat } from '../../../agent/publisher/heartbeat.js';
import { fakeTimers } from '../../../agent/publisher/timers.js';
import { cameraStatusSchema } from '../../../hub/transport/message-handler.js';

describe('agent/publisher/heartbeat', () => {
  it('builds the status payload the hub accepts, with spool figures and defaults', () => {
    const s = buildStatus('online', { fps: 9.5, frames: 120, queue_depth: 2 }, { spoolDepth: 40, spoolDroppedEvents: 3 }, Date.parse('2026-03-03T10:00:00Z'), '1.2.3');
    expect(s).to.deep.include({ state: 'online', ts: '2026-03-03T10:00:00.000Z', fps: 9.5, frames: 120, dropped: 0, spool_depth: 40, spool_dropped_events: 3, agent_version: '1.2.3', queue_depth: 2 });
    expect(cameraStatusSchema.safeParse(s).success).to.equal(true);
  });

  it('sends at start, then every interval, and stops', () => {
    const timers = fakeTimers();
    let sent = 0;
    const hb = startHeartbeat({ intervalMs: 10_000, timers, send: () => sent++ });
    expect(sent).to.equal(1);
    timers.advance(9_999);
    expect(sent).to.equal(1);
    timers.advance(20_001);
    expect(sent).to.equal(4);
    hb.stop();
    timers.advance(60_000);
    expect(sent).to.equal(4);
  });
});
