import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTruth, scoreTracks, trackSpans, type TrackSpan, type Truth } from '../../agent/eval.js';
import { DEFAULT_DETECTOR_MODEL } from '../../agent/detector/models.js';

const TRUTH_DIR = 'test/fixtures/truth';
const span = (trackId: number, firstS: number, lastS: number): TrackSpan => ({ trackId, firstS, lastS, frames: 10 });

describe('agent/eval', () => {
  const truth: Truth = { people: 2, visits: [{ enter_s: 0, leave_s: 10 }, { enter_s: 20, leave_s: 30 }] };

  it('scores a perfect run', () => {
    const r = scoreTracks([span(1, 0.5, 9.5), span(2, 20, 29)], truth);
    expect(r).to.include({ tracks: 2, idSwitches: 0, fragments: 0, missed: 0, spurious: 0 });
    expect(r.visits[0]!.coverage).to.be.closeTo(0.9, 1e-9);
  });

  it('counts a fragment, a miss, a spurious track and an id switch', () => {
    expect(scoreTracks([span(1, 0, 4), span(2, 5, 10)], truth)).to.include({ fragments: 1, missed: 1 });
    expect(scoreTracks([span(1, 0, 10), span(2, 12, 14), span(3, 20, 30)], truth)).to.include({ spurious: 1 });
    // One id carried from the first person to the second.
    expect(scoreTracks([span(1, 0, 25)], truth)).to.include({ idSwitches: 1, missed: 1 });
  });

  it('gives simultaneous visits one track each before counting fragments', () => {
    const t: Truth = { people: 2, visits: [{ enter_s: 0, leave_s: 5 }, { enter_s: 0, leave_s: 5 }] };
    expect(scoreTracks([span(1, 0, 5), span(2, 0, 5)], t)).to.include({ fragments: 0, missed: 0 });
  });

  it('every truth file in test/fixtures/truth for a clip is valid', () => {
    const files = readdirSync(TRUTH_DIR).filter((f) => f.endsWith('-detection.json'));
    expect(files.length).to.be.at.least(4);
    for (const f of files) {
      const t = loadTruth(join(TRUTH_DIR, f));
      expect(t.visits.length, f).to.be.at.least(t.people);
    }
  });

  it('rejects a bad truth file naming the field', () => {
    expect(() => loadTruth('package.json')).to.throw(/package\.json: people/);
  });

  describe('real footage @integration', function () {
    this.timeout(30 * 60_000);

    it('one-by-one-person-detection.mp4: one track per person, no id switch', async function () {
      const assets = process.env.STORE_ASSETS_DIR;
      const model = assets ? join(assets, 'models', DEFAULT_DETECTOR_MODEL) : '';
      const clip = assets ? join(assets, 'media', 'one-by-one-person-detection.mp4') : '';
      if (!assets || !existsSync(model) || !existsSync(clip)) {
        console.log(`      skipped: model or clip not found under STORE_ASSETS_DIR=${assets ?? '(unset)'}`);
        return this.skip();
      }
      const t = loadTruth(join(TRUTH_DIR, 'one-by-one-person-detection.json'));
      // The deployed camera's settings (data/cameras/cam_entry_01.json): every frame, motion gate on.
      const { spans, stats } = await trackSpans({ source: clip, modelPath: model, detectEvery: 1 });
      const r = scoreTracks(spans, t);
      console.log(`      tracks=${r.tracks} people=${r.people} id_switches=${r.idSwitches} fragments=${r.fragments} coverage=${r.visits.map((v) => v.coverage.toFixed(2)).join(',')} inferred=${stats.inferred}/${stats.frames}`);
      expect(stats.frames).to.equal(1394);
      expect(r.tracks).to.equal(t.people);
      expect(r).to.include({ idSwitches: 0, fragments: 0, missed: 0, spurious: 0 });
      for (const v of r.visits) expect(v.coverage, `visit ${v.enter_s}-${v.leave_s}`).to.be.at.least(0.85);
    });
  });
});
