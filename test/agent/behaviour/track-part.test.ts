import { expect } from 'chai';
import { createTrackParts, type TrackPart } from '../../../agent/behaviour/track-part.js';

/** A part that keeps a set of track ids (the shape every real part has). */
function setPart(ids: number[]): TrackPart & { ids: Set<number> } {
  const s = new Set(ids);
  return {
    ids: s,
    rename: (from, to) => s.delete(from) && s.add(to),
    forget: (id) => s.delete(id),
    heldTracks: () => s.size,
  };
}

describe('agent/behaviour/track-part', () => {
  it('renames and forgets in every registered part, and reports what each holds', () => {
    const a = setPart([1, 2]);
    const b = setPart([1]);
    const parts = createTrackParts({ a, b });
    parts.rename(1, 9);
    expect([[...a.ids], [...b.ids]]).to.deep.equal([[2, 9], [9]]);
    parts.forget(9);
    expect(parts.held()).to.deep.equal({ a: 1, b: 0 });
  });
});
