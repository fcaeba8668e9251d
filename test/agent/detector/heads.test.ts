import { expect } from 'chai';
import { inputSizeOf, recogniseModel, yoloxCells } from '../../../agent/detector/heads.js';
import { isAppError } from '../../../common/errors.js';

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isAppError(err) && err.code === 'MODEL_INVALID', String(err)).to.equal(true);
    return (err as Error).message;
  }
  return expect.fail('accepted');
}

describe('agent/detector/heads', () => {
  it('reads a YOLOv8/YOLO11 export: [1,84,N], RGB 0..1, centred letterbox', () => {
    const s = recogniseModel([1, 3, 640, 640], [1, 84, 8400]);
    expect(s).to.include({ head: 'yolov8', inputWidth: 640, inputHeight: 640, channelOrder: 'rgb', letterboxAlign: 'center', anchors: 8400, classes: 80, channelsLast: false });
    expect(s.pixelScale).to.be.closeTo(1 / 255, 1e-12);
    expect(recogniseModel([1, 3, 320, 320], [1, 2100, 84])).to.include({ head: 'yolov8', anchors: 2100, channelsLast: true });
    // A fine-tuned single-class head, channels first: unambiguous.
    expect(recogniseModel([1, 3, 640, 640], [1, 5, 8400])).to.include({ head: 'yolov8', classes: 1 });
  });

  it('reads a YOLOX export: [1,3549,85] at 416², BGR 0..255, top-left letterbox', () => {
    expect(yoloxCells(416, 416)).to.equal(52 * 52 + 26 * 26 + 13 * 13);
    expect(recogniseModel([1, 3, 416, 416], [1, 3549, 85])).to.deep.equal({
      head: 'yolox', inputWidth: 416, inputHeight: 416, channelOrder: 'bgr', pixelScale: 1, letterboxAlign: 'top-left', anchors: 3549, classes: 80, channelsLast: true, fixedInput: true,
    });
    expect(recogniseModel([1, 3, 640, 640], [1, 8400, 85])).to.include({ head: 'yolox', inputWidth: 640 });
  });

  it('takes the input size from the model, 640 where it is dynamic', () => {
    expect(inputSizeOf([1, 3, 384, 640])).to.deep.equal({ width: 640, height: 384 });
    expect(inputSizeOf(['batch', 3, 'height', 'width'])).to.deep.equal({ width: 640, height: 640 });
    // Dynamic axes take the size asked for (the bench tries several); a fixed size refuses another one.
    expect(inputSizeOf(['batch', 3, 'height', 'width'], { width: 320, height: 320 })).to.deep.equal({ width: 320, height: 320 });
    expect(recogniseModel(['batch', 3, 'height', 'width'], [1, 84, 2100], undefined, { width: 320, height: 320 })).to.include({ inputWidth: 320, fixedInput: false });
    expect(refused(() => inputSizeOf([1, 3, 416, 416], { width: 640, height: 640 }))).to.match(/fixed at 416x416.*640x640 asked for/);
    expect(refused(() => inputSizeOf([1, 256, 128]))).to.match(/\[1, 256, 128\]/);
    expect(refused(() => inputSizeOf([1, 1, 64, 64]))).to.match(/3 channels/);
  });

  it('needs the head named when a channels-last width is not a COCO one, and honours the name', () => {
    expect(refused(() => recogniseModel([1, 3, 416, 416], [1, 3549, 6]))).to.match(/ambiguous.*name the head/);
    expect(recogniseModel([1, 3, 416, 416], [1, 3549, 6], 'yolox')).to.include({ head: 'yolox', classes: 1 });
    expect(recogniseModel([1, 3, 416, 416], [1, 3549, 6], 'yolov8')).to.include({ head: 'yolov8', classes: 2 });
  });

  it('refuses an unknown model, naming the shapes it saw', () => {
    // A re-id embedder: input [N,3,256,128], output [N,512].
    const msg = refused(() => recogniseModel([1, 3, 256, 128], [1, 512]));
    expect(msg).to.include('input [1, 3, 256, 128]').and.include('output [1, 512]').and.include('YOLOX');
    // YOLOX widths but a grid that does not fit the input size.
    expect(refused(() => recogniseModel([1, 3, 640, 640], [1, 3549, 85]))).to.match(/8400 grid cells.*got 3549/);
    expect(refused(() => recogniseModel([1, 3, 416, 416], [2, 84, 3549]))).to.match(/batch 1/);
    expect(refused(() => recogniseModel([1, 3, 416, 416], [1, 4, 3549]))).to.match(/4 \+ classes/);
  });
});
