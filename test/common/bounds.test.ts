import { expect } from 'chai';
import { oversizedArray, truncate } from '../../common/bounds.js';

describe('common/bounds (pure)', () => {
  it('finds the first over-long array by path without walking its elements, and stops at a node budget', () => {
    expect(oversizedArray({ a: [1, 2], b: { c: [[0, 0], [1, 1], [2, 2]] } }, 2)).to.deep.equal({ path: 'b.c', length: 3 });
    expect(oversizedArray({ a: [1, 2] }, 2)).to.equal(null);
    const deep = JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)) as unknown; // no recursion to overflow
    expect(oversizedArray(deep, 10, 1000)).to.deep.equal({ path: '(root)', length: 1001 });
    expect(truncate('x'.repeat(10), 4)).to.equal('xxxx… (6 more characters)');
  });
});
