import { createDetector } from './agent/detector/detector.js';
import { openSource } from './agent/source/video-source.js';
import { resolveBinaries } from './agent/source/binaries.js';
const bins = resolveBinaries(process.env);
for (const m of process.argv.slice(3)) {
  const d = await createDetector({ modelPath: `/work/shared/models/${m}`, decode: { conf: 0.01 } });
  const src = await openSource({ input: '/work/shared/media/' + process.argv[2], inputWidth: d.inputWidth, inputHeight: d.inputHeight, letterboxAlign: d.spec.letterboxAlign, ...bins });
  const line: string[] = [];
  for await (const f of src.frames()) {
    const dets = await d.detect(f.rgb, f.letterbox, f.sourceWidth, f.sourceHeight);
    const best = dets.filter((x) => x.box.x1 < 120)[0];
    line.push(best ? `${best.score.toFixed(2)}@${best.box.x1.toFixed(0)},${best.box.y1.toFixed(0)},${(best.box.y2 - best.box.y1).toFixed(0)}` : '-');
  }
  console.log(m, line.join(' '));
  src.close(); await d.close();
}
