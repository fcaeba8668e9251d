/**
 * The line-crossing case table of a peer, roboflow/supervision's `test/detection/test_line_counter.py` (MIT), run
 * against door-line.ts. Each case keeps supervision's geometry (a line from a to b and box sequences, in its units)
 * and its expected outcome; where this project's rules differ, the case says what we do instead and why.
 *
 * Mapping: supervision counts "in" when an object moves to the left of a→b (image coordinates, y down), which is
 * a door line with `inside: 'left'`. Its units are mapped into the unit frame as 0.5 + v/60, so the ±5-unit steps
 * of its boxes clear our default hysteresis band (0.03 of the frame = 1.8 units). We judge one anchor point per
 * track (the behaviour layer feeds the bottom centre of the box); supervision requires every triggering anchor of
 * the box (by default its four corners) on the same side.
 */
import { expect } from 'chai';
import { createDoorLines } from '../../../agent/behaviour/door-line.js';
import { doorLineSchema } from '../../../common/layout.js';

type Xyxy = [number, number, number, number];
type Anchor = 'bottom-center' | 'center' | 'top-left' | 'bottom-right' | 'bottom-left';
type P = [number, number];

interface Case {
  name: string;
  line: [P, P];
  /** Per frame, the box of each track id (index); null once it has vanished. */
  frames: (Xyxy | null)[][];
  /** Our single anchor for this case: the behaviour layer's bottom centre unless the peer case names one point. */
  anchor?: Anchor;
  /** Supervision's outcome per track: one token per frame, '-' nothing, 'in', 'out' ('' once vanished). */
  supervision: string[];
  /** Ours where it differs, with the reason. */
  ours?: { outcome: string[]; why: string };
}

const U = (v: number) => 0.5 + v / 60;
const anchorOf = (b: Xyxy, a: Anchor): P => {
  const [x1, y1, x2, y2] = b;
  const cx = (x1 + x2) / 2;
  return a === 'center' ? [cx, (y1 + y2) / 2] : a === 'top-left' ? [x1, y1] : a === 'bottom-right' ? [x2, y2] : a === 'bottom-left' ? [x1, y2] : [cx, y2];
};

const up = (b: Xyxy, d = 10): Xyxy => [b[0], b[1] - d, b[2], b[3] - d];
const H: [P, P] = [[0, 0], [10, 0]];
const SQ: Xyxy = [4, 4, 6, 6];
const ONE_ANCHOR = 'we judge one anchor point per track (the feet), not every corner: a box straddling the end of a segment counts while its anchor is within the segment';
const NO_DEBOUNCE =
  'we count every passage whose anchor clears the hysteresis band (a spatial rule); supervision\'s minimum_crossing_threshold is temporal (the new side held N frames). Either way the net count (in − out) is the same; we leave flicker to the band and the tracker';

const CASES: Case[] = [
  // test_line_zone_one_detection_default_anchors
  { name: 'vertical line, simple crossing', line: [[0, 0], [0, 10]], frames: [[SQ], [[-6, 4, -4, 6]], [SQ], [[-6, 4, -4, 6]]], supervision: ['- out in out'] },
  { name: 'vertical line reversed, simple crossing', line: [[0, 10], [0, 0]], frames: [[SQ], [[-6, 4, -4, 6]], [SQ], [[-6, 4, -4, 6]]], supervision: ['- in out in'] },
  { name: 'horizontal line, simple crossing', line: H, frames: [[SQ], [up(SQ)], [SQ], [up(SQ)]], supervision: ['- in out in'] },
  { name: 'horizontal line reversed, simple crossing', line: [[10, 0], [0, 0]], frames: [[SQ], [up(SQ)], [SQ], [up(SQ)]], supervision: ['- out in out'] },
  {
    name: 'diagonal line, simple crossing', line: [[5, 0], [0, 5]], frames: [[[0, 0, 2, 2]], [[10, 10, 12, 12]], [[0, 0, 2, 2]], [[10, 10, 12, 12]]], supervision: ['- in out in'],
    ours: { outcome: ['- - - -'], why: 'the small box\'s anchor stays within the hysteresis band on one side (1.4 units from the line, the band is 1.8), and a crossing needs the band cleared on both sides' },
  },
  { name: 'diagonal line, simple crossing, clear of the band', line: [[5, 0], [0, 5]], frames: [[[-2, -2, 0, 0]], [[10, 10, 12, 12]], [[-2, -2, 0, 0]], [[10, 10, 12, 12]]], supervision: ['- in out in'] },
  { name: 'crossing beside the right end', line: H, frames: [[[20, 4, 24, 6]], [[20, -6, 24, -4]], [[20, 4, 24, 6]], [[20, -6, 24, -4]]], supervision: ['- - - -'] },
  // Supervision moves the box 1e32 away; the farthest an anchor gets here is the frame's edge (±30 units).
  { name: 'simple crossing, far away (to the frame edges)', line: H, frames: [[[4, 26, 6, 30]], [[4, -32, 6, -30]], [[4, 26, 6, 30]], [[4, -32, 6, -30]]], supervision: ['- in out in'] },
  { name: 'crossing beside the left end', line: H, frames: [[[-24, 4, -20, 6]], [[-24, -6, -20, -4]], [[-24, 4, -20, 6]], [[-24, -6, -20, -4]]], supervision: ['- - - -'] },
  { name: 'moving along above the line, past its end', line: H, frames: [[[-4, 4, -2, 6]], [[16, 4, 18, 6]], [[-4, 4, -2, 6]], [[16, 4, 18, 6]]], supervision: ['- - - -'] },
  { name: 'moving along below the line, past its end', line: H, frames: [[[-4, -6, -2, -4]], [[16, -6, 18, -4]], [[-4, -6, -2, -4]], [[16, -6, 18, -4]]], supervision: ['- - - -'] },
  { name: 'moving into the line partway', line: H, frames: [[SQ], [[9, 4, 11, 6]], [SQ], [[9, 4, 11, 6]]], supervision: ['- - - -'] },
  { name: 'V-shaped crossing from outside the limits', line: H, frames: [[[-3, 6, -1, 8]], [[4, -6, 6, -4]], [[11, 6, 13, 8]]], supervision: ['- - -'] },
  { name: 'diagonal move from within the limits to outside', line: H, frames: [[[4, 1, 6, 3]], [[11, -19, 13, -17]]], supervision: ['- -'] },
  { name: 'diagonal move from outside the limits to within', line: H, frames: [[[11, 21, 13, 23]], [[4, -3, 6, -1]]], supervision: ['- -'] },
  { name: 'diagonal crossing from outside to outside the limits', line: H, frames: [[[-4, 4, -2, 8]], [[12, -6, 14, -4]], [[-4, 4, -2, 8]], [[12, -6, 14, -4]]], supervision: ['- - - -'] },
  // test_line_zone_one_detection (triggering anchors)
  { name: 'scraping the left end, corner anchors', line: H, frames: [[[-2, 4, 2, 6]], [[-2, -6, 2, -4]], [[-2, 4, 2, 6]], [[-2, -6, 2, -4]]], supervision: ['- - - -'], ours: { outcome: ['- in out in'], why: ONE_ANCHOR } },
  { name: 'scraping the left end, right anchors', line: H, anchor: 'bottom-right', frames: [[[-2, 4, 2, 6]], [[-2, -6, 2, -4]], [[-2, 4, 2, 6]], [[-2, -6, 2, -4]]], supervision: ['- in out in'] },
  { name: 'scraping the left end, centre anchor', line: H, anchor: 'center', frames: [[[-2, 4, 2, 6]], [[-2, -6, 2, -4]], [[-2, 4, 2, 6]], [[-2, -6, 2, -4]], [[-2, -6, 2, -4]]], supervision: ['- in out in -'] },
  { name: 'scraping the right end, corner anchors', line: H, frames: [[[8, 4, 12, 6]], [[8, -6, 12, -4]], [[8, 4, 12, 6]], [[8, -6, 12, -4]]], supervision: ['- - - -'], ours: { outcome: ['- in out in'], why: ONE_ANCHOR } },
  { name: 'scraping the right end, left anchors', line: H, anchor: 'bottom-left', frames: [[[8, 4, 12, 6]], [[8, -6, 12, -4]], [[8, 4, 12, 6]], [[8, -6, 12, -4]]], supervision: ['- in out in'] },
  { name: 'scraping the right end, centre anchor', line: H, anchor: 'center', frames: [[[8, 4, 12, 6]], [[8, -6, 12, -4]], [[8, 4, 12, 6]], [[8, -6, 12, -4]]], supervision: ['- in out in'] },
  { name: 'simple crossing, all box anchors', line: H, frames: [[SQ], [up(SQ)], [SQ], [up(SQ)]], supervision: ['- in out in'] },
  // test_line_zone_multiple_detections
  { name: 'two people: one stays, one crosses', line: H, frames: [[SQ, SQ], [SQ, up(SQ)], [SQ, SQ], [SQ, up(SQ)]], supervision: ['- - - -', '- in out in'] },
  { name: 'two people cross at the same time', line: H, frames: [[SQ, SQ], [up(SQ), up(SQ)], [SQ, SQ], [up(SQ), up(SQ)]], supervision: ['- in out in', '- in out in'] },
  // test_line_zone_one_detection_long_horizon (top-left anchor; the second box spans the line, its top-left is above)
  { name: 'lingering on the line, threshold 1', line: H, anchor: 'top-left', frames: [[[2, 4, 3, 6]], [[2, -6, 3, 6]], [[2, 4, 3, 6]], [[2, -6, 3, 6]], [[2, -6, 3, 6]]], supervision: ['- in out in -'] },
  { name: 'lingering on the line, threshold 2', line: H, anchor: 'top-left', frames: [[[2, 4, 3, 6]], [[2, -6, 3, 6]], [[2, 4, 3, 6]], [[2, -6, 3, 6]], [[2, -6, 3, 6]]], supervision: ['- - - - in'], ours: { outcome: ['- in out in -'], why: NO_DEBOUNCE } },
  {
    name: 'lingering on the line for a long time, threshold 2', line: H, anchor: 'top-left',
    frames: [...Array.from({ length: 12 }, (_, i): Xyxy[] => [i % 2 ? [2, -6, 3, 6] : [2, 4, 3, 6]]), [[2, -6, 3, 6]]],
    supervision: [`${'- '.repeat(12)}in`], ours: { outcome: ['- in out in out in out in out in out in -'], why: NO_DEBOUNCE },
  },
  {
    name: 'lingering on the line, longer cycle, threshold 4', line: H, anchor: 'top-left',
    frames: [[2, 4, 3, 6], [2, -6, 3, 6], [2, 4, 3, 6], [2, 4, 3, 6], [2, 4, 3, 6], [2, -6, 3, 6], [2, -6, 3, 6], [2, -6, 3, 6], [2, -6, 3, 6]].map((b) => [b as Xyxy]),
    supervision: ['- - - - - - - - in'], ours: { outcome: ['- in out - - in - - -'], why: NO_DEBOUNCE },
  },
  // test_line_zone_long_horizon_disappearing_detections (threshold 1 as given; threshold 2 differs as above)
  {
    name: 'one stays, one crosses, one vanishes before crossing', line: H, anchor: 'top-left',
    frames: [[SQ, SQ, SQ], [SQ, up(SQ), SQ], [SQ, SQ, null], [SQ, up(SQ), null], [SQ, up(SQ), null]],
    supervision: ['- - - - -', '- in out in -', '- - '],
  },
  {
    name: 'one stays, one crosses, one vanishes right after crossing', line: H, anchor: 'top-left',
    frames: [[SQ, SQ, SQ], [SQ, up(SQ), SQ], [SQ, SQ, up(SQ)], [SQ, up(SQ), null], [SQ, up(SQ), null]],
    supervision: ['- - - - -', '- in out in -', '- - in'],
  },
  {
    name: 'one vanishes right after crossing, threshold 2', line: H, anchor: 'top-left',
    frames: [[SQ, SQ, SQ], [SQ, up(SQ), SQ], [SQ, SQ, up(SQ)], [SQ, up(SQ), null], [SQ, up(SQ), null]],
    supervision: ['- - - - -', '- - - - in', '- - -'],
    ours: { outcome: ['- - - - -', '- in out in -', '- - in'], why: `${NO_DEBOUNCE}; so a person who crosses and vanishes at once is counted, where the temporal threshold never confirms them` },
  },
];

/** Runs a case through door-line.ts: one token per frame and track. */
function run(c: Case): string[] {
  const [a, b] = c.line.map(([x, y]) => [U(x), U(y)] as P) as [P, P];
  const d = createDoorLines([doorLineSchema.parse({ line_id: 'L', a, b, inside: 'left' })]);
  const tracks = Math.max(...c.frames.map((f) => f.length));
  const out: string[][] = Array.from({ length: tracks }, () => []);
  for (const frame of c.frames) {
    frame.forEach((box, id) => {
      if (!box) return;
      const [x, y] = anchorOf(box, c.anchor ?? 'bottom-center');
      const crossings = d.observe(id, [U(x), U(y)], true);
      out[id]!.push(crossings.length ? (crossings[0]!.to === 'inside' ? 'in' : 'out') : '-');
    });
  }
  return out.map((t) => t.join(' '));
}

const norm = (s: string) => s.trim().split(/\s+/).filter(Boolean).join(' ');

describe('agent/behaviour/door-line: the line-counter cases of roboflow/supervision', () => {
  for (const c of CASES) {
    const label = c.ours ? `${c.name} (differs: ${c.ours.why.split(':')[0]!.split(';')[0]})` : c.name;
    it(label, () => {
      expect(run(c)).to.deep.equal((c.ours?.outcome ?? c.supervision).map(norm));
    });
  }

  it('lingering on the line: every clear passage counted, but the net count (in − out) is supervision\'s', () => {
    const net = (tokens: string[]) => tokens.join(' ').split(/\s+/).reduce((n, t) => n + (t === 'in' ? 1 : t === 'out' ? -1 : 0), 0);
    const lingering = CASES.filter((x) => x.name.startsWith('lingering'));
    expect(lingering).to.have.length(4);
    for (const c of lingering) expect(net(run(c)), c.name).to.equal(net(c.supervision));
  });

  it('refuses a zero-length line at configuration time (supervision raises ValueError)', () => {
    expect(() => doorLineSchema.parse({ line_id: 'L', a: [0.5, 0.5], b: [0.5, 0.5], inside: 'left' })).to.throw(/a and b must differ/);
  });

  it('beyond the peer: a crossing made only by a coasting prediction (person vanished just before the line) does not count', () => {
    const d = createDoorLines([doorLineSchema.parse({ line_id: 'L', a: [U(0), U(0)], b: [U(10), U(0)], inside: 'left' })]);
    expect(d.observe(1, [U(5), U(6)], true)).to.deep.equal([]);
    expect(d.observe(1, [U(5), U(-4)], false)).to.deep.equal([]); // the prediction crosses; no detection saw it
    expect(d.coastedOutside(1)).to.equal(false);
    expect(d.observe(1, [U(5), U(-4)], true)).to.deep.equal([{ lineId: 'L', to: 'inside' }]); // seen there: it counts
  });
});
