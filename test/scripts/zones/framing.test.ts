import { expect } from 'chai';
import { cameraSchema } from '../../../common/layout.js';
import { cropPixels, framingFilter, reprojectCamera, reprojectPoint, type Framing } from '../../../scripts/zones/framing.js';

const crop: Framing = { name: 'c', crop: { x: 0.15, y: 0, w: 0.85, h: 1 }, out: { w: 480, h: 318 } };

describe('scripts/zones/framing', () => {
  it('renders a crop in whole, even source pixels, then scales', () => {
    expect(cropPixels(crop, 768, 432)).to.deep.equal({ x: 115, y: 0, w: 652, h: 432 });
    expect(framingFilter(crop, 768, 432)).to.equal('crop=652:432:115:0,scale=480:318');
  });

  it('re-projects points onto the framed picture, clamped to it', () => {
    expect(reprojectPoint([0.5, 0.5], crop, 768, 432)).to.deep.equal([Number(((384 - 115) / 652).toFixed(4)), 0.5]);
    expect(reprojectPoint([0.1, 1], crop, 768, 432)).to.deep.equal([0, 1]);
  });

  it('re-projects door lines, zone and till polygons of a camera and keeps the rest', () => {
    const cam = cameraSchema.parse({
      camera_id: 'C',
      door_lines: [{ line_id: 'D', a: [0.15, 0.9], b: [1, 0.9], inside: 'left', hysteresis: 0.02 }],
      zones: [{ zone_id: 'Z', polygon: [[0.15, 0], [1, 0], [1, 1]], service_zone: [[0.15, 0], [1, 0], [1, 1]], band: 0.02 }],
    });
    const out = reprojectCamera(cam, crop, 768, 432);
    expect(out.door_lines[0]).to.deep.include({ a: [0.0003, 0.9], b: [1, 0.9], hysteresis: 0.02 });
    expect(out.zones[0]!.polygon).to.deep.equal([[0.0003, 0], [1, 0], [1, 1]]);
    expect(out.zones[0]!.service_zone).to.deep.equal(out.zones[0]!.polygon);
    expect(out.zones[0]!.band).to.equal(0.02);
  });
});
