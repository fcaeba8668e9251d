import { expect } from 'chai';
import { occupancyByBucket } from '../../../hub/analytics/occupancy.js';
import type { DoorEvent } from '../../../hub/analytics/types.js';

const M = 60_000;
const door = (visitor_id: string, type: DoorEvent['type'], ts: number): DoorEvent => ({ visitor_id, type, ts, group_id: null });

describe('occupancyByBucket', () => {
  const buckets = [{ from: 0, to: 60 * M }, { from: 60 * M, to: 120 * M }, { from: 120 * M, to: 180 * M }];

  it('counts visitors whose latest door event is an arrival; an EXIT of someone not inside never makes it negative', () => {
    const doors = [
      door('X', 'EXIT', 1 * M), // entered before the window: nothing to take away
      door('A', 'ENTRY', 5 * M),
      door('A', 'ENTRY', 6 * M), // a second camera's ENTRY for the same visitor: still one person
      door('B', 'ENTRY', 10 * M),
      door('A', 'EXIT', 20 * M),
      door('A', 'REENTRY', 70 * M),
      door('B', 'EXIT', 80 * M),
    ];
    expect(occupancyByBucket(doors, buckets, 180 * M)).to.deep.equal([
      { occupancy: 1, occupancy_peak: 2 },
      { occupancy: 1, occupancy_peak: 2 }, // starts with B, A back at 70, B out at 80
      { occupancy: 1, occupancy_peak: 1 },
    ]);
  });

  it('an event exactly at a bucket end belongs to the next bucket; buckets after `at` (the future) are 0', () => {
    const doors = [door('A', 'ENTRY', 10 * M), door('A', 'EXIT', 60 * M)];
    expect(occupancyByBucket(doors, buckets, 90 * M)).to.deep.equal([
      { occupancy: 1, occupancy_peak: 1 },
      { occupancy: 0, occupancy_peak: 1 },
      { occupancy: 0, occupancy_peak: 0 },
    ]);
  });

  it('an empty store is 0 everywhere', () => {
    expect(occupancyByBucket([], buckets, 180 * M).every((o) => o.occupancy === 0 && o.occupancy_peak === 0)).to.equal(true);
  });
});

describe('occupancyByBucket with the day before the window', () => {
  const buckets = [{ from: 60 * M, to: 120 * M }, { from: 120 * M, to: 180 * M }];

  it('counts those who came in earlier that day and are still inside (a view of the last hour sees them)', () => {
    const before = [door('A', 'ENTRY', 5 * M), door('B', 'ENTRY', 10 * M), door('B', 'EXIT', 30 * M), door('C', 'ENTRY', 40 * M)];
    const doors = [door('A', 'EXIT', 70 * M), door('D', 'ENTRY', 130 * M)];
    expect(occupancyByBucket(doors, buckets, 180 * M, { before })).to.deep.equal([
      { occupancy: 1, occupancy_peak: 2 }, // A and C at the start, A leaves at 70
      { occupancy: 2, occupancy_peak: 2 },
    ]);
    // Without the day before, the same window starts from nobody: what the context fixes.
    expect(occupancyByBucket(doors, buckets, 180 * M)[0]).to.deep.equal({ occupancy: 0, occupancy_peak: 0 });
  });

  it('starts again from nobody at each local midnight: a missed exit counts until the end of its day only', () => {
    const doors = [door('A', 'ENTRY', 70 * M), door('B', 'ENTRY', 100 * M), door('C', 'ENTRY', 150 * M)];
    // Midnight at 120: A and B (whose exits were missed) are not inside the next day.
    expect(occupancyByBucket(doors, buckets, 180 * M, { resets: [120 * M] })).to.deep.equal([
      { occupancy: 2, occupancy_peak: 2 },
      { occupancy: 1, occupancy_peak: 1 },
    ]);
    // A midnight inside a bucket with nothing after it still empties the store by the bucket's end.
    expect(occupancyByBucket(doors.slice(0, 2), [{ from: 60 * M, to: 180 * M }], 180 * M, { resets: [120 * M] })).to.deep.equal([
      { occupancy: 0, occupancy_peak: 2 },
    ]);
  });
});

describe('occupancyByBucket when people leave on a new track', () => {
  const buckets = [{ from: 0, to: 60 * M }, { from: 60 * M, to: 120 * M }];

  it('an EXIT of a visitor not known inside takes one person away (the door camera gave the leaving track a new id)', () => {
    const doors = [
      door('A', 'ENTRY', 1 * M),
      door('B', 'ENTRY', 2 * M),
      door('C', 'ENTRY', 3 * M),
      door('V9', 'EXIT', 20 * M), // one of A, B, C leaving on a new track
      door('V10', 'EXIT', 70 * M),
      door('A', 'EXIT', 80 * M), // A's own exit: still one person left at most
      door('V11', 'EXIT', 90 * M), // the store is empty by now: nobody to take away
      door('D', 'ENTRY', 100 * M),
    ];
    expect(occupancyByBucket(doors, buckets, 120 * M)).to.deep.equal([
      { occupancy: 2, occupancy_peak: 3 },
      { occupancy: 1, occupancy_peak: 2 }, // 1 after V10, 0 after A (B or C already counted out), D makes 1
    ]);
  });
});
