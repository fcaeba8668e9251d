/**
 * Minimal drawing on packed RGB24 images for the calibration video: lines, rectangles, polygons and a 3x5 pixel
 * font (scaled) for ids. Pure; only for the developer view, never on the inference path.
 */
export interface Image {
  data: Uint8Array;
  width: number;
  height: number;
}
export type Rgb = readonly [number, number, number];

// 3x5 glyphs, one 3-bit row per entry (MSB = left column).
const FONT: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [7, 1, 7, 4, 7], '3': [7, 1, 7, 1, 7], '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7], '6': [7, 4, 7, 5, 7], '7': [7, 1, 1, 1, 1], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 7],
  A: [2, 5, 7, 5, 5], B: [6, 5, 6, 5, 6], C: [3, 4, 4, 4, 3], D: [6, 5, 5, 5, 6], E: [7, 4, 6, 4, 7], F: [7, 4, 6, 4, 4],
  G: [3, 4, 5, 5, 3], H: [5, 5, 7, 5, 5], I: [7, 2, 2, 2, 7], J: [1, 1, 1, 5, 2], K: [5, 5, 6, 5, 5], L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5], N: [6, 5, 5, 5, 5], O: [2, 5, 5, 5, 2], P: [6, 5, 6, 4, 4], Q: [2, 5, 5, 6, 3], R: [6, 5, 6, 5, 5],
  S: [3, 4, 2, 1, 6], T: [7, 2, 2, 2, 2], U: [5, 5, 5, 5, 7], V: [5, 5, 5, 5, 2], W: [5, 5, 7, 7, 5], X: [5, 5, 2, 5, 5],
  Y: [5, 5, 2, 2, 2], Z: [7, 1, 2, 4, 7], '#': [5, 7, 5, 7, 5], _: [0, 0, 0, 0, 7], '-': [0, 0, 7, 0, 0], '.': [0, 0, 0, 0, 2],
  ':': [0, 2, 0, 2, 0], ' ': [0, 0, 0, 0, 0],
};

export function setPixel(img: Image, x: number, y: number, c: Rgb): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return;
  const p = (yi * img.width + xi) * 3;
  img.data[p] = c[0];
  img.data[p + 1] = c[1];
  img.data[p + 2] = c[2];
}

export function fillRect(img: Image, x: number, y: number, w: number, h: number, c: Rgb): void {
  for (let yy = Math.max(0, Math.round(y)); yy < Math.min(img.height, Math.round(y + h)); yy++) {
    for (let xx = Math.max(0, Math.round(x)); xx < Math.min(img.width, Math.round(x + w)); xx++) setPixel(img, xx, yy, c);
  }
}

/** A line `thickness` pixels wide (square brush stepped along the longer axis). */
export function drawLine(img: Image, x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 2): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const r = (thickness - 1) / 2;
  for (let i = 0; i <= steps; i++) {
    const x = x0 + ((x1 - x0) * i) / steps;
    const y = y0 + ((y1 - y0) * i) / steps;
    fillRect(img, x - r, y - r, thickness, thickness, c);
  }
}

export function drawRect(img: Image, x1: number, y1: number, x2: number, y2: number, c: Rgb, thickness = 2): void {
  drawLine(img, x1, y1, x2, y1, c, thickness);
  drawLine(img, x2, y1, x2, y2, c, thickness);
  drawLine(img, x2, y2, x1, y2, c, thickness);
  drawLine(img, x1, y2, x1, y1, c, thickness);
}

export function drawPolygon(img: Image, pts: ReadonlyArray<readonly [number, number]>, c: Rgb, thickness = 2): void {
  pts.forEach((p, i) => {
    const q = pts[(i + 1) % pts.length]!;
    drawLine(img, p[0], p[1], q[0], q[1], c, thickness);
  });
}

/** Text on a dark label background; unknown characters draw as blanks. Returns the label width. */
export function drawText(img: Image, x: number, y: number, text: string, c: Rgb, scale = 2): number {
  const up = text.toUpperCase();
  const w = up.length * 4 * scale + scale;
  fillRect(img, x, y, w, 7 * scale, [0, 0, 0]);
  [...up].forEach((ch, i) => {
    const rows = FONT[ch] ?? FONT[' ']!;
    rows.forEach((bits, ry) => {
      for (let rx = 0; rx < 3; rx++) {
        if (bits & (4 >> rx)) fillRect(img, x + scale + (i * 4 + rx) * scale, y + scale + ry * scale, scale, scale, c);
      }
    });
  });
  return w;
}
