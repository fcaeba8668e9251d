import { expect } from 'chai';
import { loadLayoutFile, parseLayoutFile } from '../../common/layout.js';

describe('common/layout', () => {
  it('loads the sample store layout', () => {
    const file = loadLayoutFile('data/store_layout.json');
    const store = file.stores.find((s) => s.store_id === 'STORE_BLR_002');
    expect(store?.timezone).to.equal('Asia/Kolkata');
    expect(store?.zones.some((z) => z.type === 'billing')).to.equal(true);
  });

  it('names the bad field and the source in one message', () => {
    const bad = { stores: [{ store_id: 'S1', name: 'x', timezone: 'Mars/Base', zones: [{ zone_id: 'Z', name: 'z', type: 'cafe' }] }] };
    expect(() => parseLayoutFile(bad, 'my.json')).to.throw(/my\.json: .*stores\.0\.timezone.*stores\.0\.zones\.0\.type/);
  });

  it('rejects a camera zone that the store does not declare', () => {
    const bad = {
      stores: [{ store_id: 'S1', name: 'x', cameras: [{ camera_id: 'C1', zones: [{ zone_id: 'NOPE', polygon: [[0, 0], [1, 0], [1, 1]] }] }] }],
    };
    expect(() => parseLayoutFile(bad)).to.throw(/NOPE is not declared/);
  });
});

describe('common/heatmap: bounded validation', () => {
  it('refuses a grid with a million invalid counts by its size, with a short message', async () => {
    const { parseHeatmapPayload } = await import('../../common/heatmap.js');
    const counts = new Array(1_000_000).fill('x');
    let message = '';
    try {
      parseHeatmapPayload({ minute_ts: 0, cols: 64, rows: 64, counts });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/counts/).and.match(/4096/);
    expect(message.length).to.be.below(600);
  });
});
