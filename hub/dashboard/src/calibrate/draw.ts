import { bandOf, DEFAULT_ZONE_BAND, type CameraLayout, type Pt, type Selection, type ShapeKey, type StoreZone } from './model.js';

export interface Scene {
  img: HTMLImageElement | null;
  cam: CameraLayout;
  storeZones: StoreZone[];
  selection: Selection;
  /** A door line being dragged out, or a zone being clicked out (open polygon). */
  draftLine: [Pt, Pt] | null;
  draftZone: Pt[];
  errors: Map<ShapeKey, string[]>;
  /** Live positions (track id → anchor), and shapes that just fired (flash until the time given, ms). */
  dots: { id: number; p: Pt; trail: Pt[] }[];
  flashes: Map<ShapeKey, number>;
  now: number;
  /** Canvas pixels per CSS pixel: strokes and labels keep one on-screen size at phone and desktop width. */
  pxPerCss: number;
}

const ZONE_COLOURS: Record<string, string> = { entrance: '#22d3ee', aisle: '#a3e635', display: '#facc15', billing: '#f472b6', staff_only: '#fb923c' };
const ERROR = '#ef4444';

/** Draws the background and every shape of the camera onto a canvas whose size is the background's own. */
export function drawScene(ctx: CanvasRenderingContext2D, s: Scene): void {
  const { width: w, height: h } = ctx.canvas;
  const X = (p: Pt): [number, number] => [p[0] * w, p[1] * h];
  const unit = Math.max(1, s.pxPerCss);
  ctx.clearRect(0, 0, w, h);
  if (s.img) ctx.drawImage(s.img, 0, 0, w, h);
  else {
    ctx.fillStyle = '#2b3440';
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = '#9aa5b1';
    ctx.font = `${14 * unit}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.fillText('no people-free background from this camera yet', w / 2, h / 2);
  }
  const path = (pts: Pt[], close: boolean) => {
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(...X(p)) : ctx.moveTo(...X(p))));
    if (close) ctx.closePath();
  };
  const label = (p: Pt, text: string, colour: string) => {
    ctx.font = `600 ${12 * unit}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    const [x, y] = X(p);
    const tw = ctx.measureText(text).width;
    const lx = Math.min(Math.max(2, x + 4), w - tw - 10);
    const ly = Math.min(Math.max(2, y + 4), h - 20 * unit);
    ctx.fillStyle = 'rgba(0,0,0,0.7)';
    ctx.fillRect(lx, ly, tw + 8, 18 * unit);
    ctx.fillStyle = colour;
    ctx.fillText(text, lx + 4, ly + 13 * unit);
  };
  const handle = (p: Pt, on: boolean) => {
    ctx.beginPath();
    ctx.arc(...X(p), (on ? 7 : 5) * unit, 0, Math.PI * 2);
    ctx.fillStyle = on ? '#ffffff' : 'rgba(255,255,255,0.8)';
    ctx.fill();
    ctx.strokeStyle = '#111';
    ctx.lineWidth = unit;
    ctx.stroke();
  };
  const flashing = (k: ShapeKey) => (s.flashes.get(k) ?? 0) > s.now;

  s.cam.zones.forEach((z, i) => {
    const key: ShapeKey = `zone:${i}`;
    const info = s.storeZones.find((q) => q.zone_id === z.zone_id);
    const colour = s.errors.has(key) ? ERROR : ZONE_COLOURS[info?.type ?? ''] ?? '#ffffff';
    const sel = s.selection?.kind === 'zone' && s.selection.index === i;
    // The zone's band: ±band of normalised distance around the border, drawn by stroking in normalised space
    // (a 2·band wide pen under a w×h scale is exactly the region agent/behaviour/zones.ts treats as undecided).
    ctx.save();
    ctx.setTransform(w, 0, 0, h, 0, 0);
    ctx.beginPath();
    z.polygon.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.lineWidth = 2 * (z.band ?? DEFAULT_ZONE_BAND);
    ctx.lineJoin = 'round';
    ctx.strokeStyle = 'rgba(255,255,255,0.22)';
    ctx.stroke();
    ctx.restore();
    path(z.polygon, true);
    ctx.fillStyle = flashing(key) ? `${colour}88` : sel ? 'rgba(255,255,255,0.18)' : 'rgba(0,0,0,0.12)';
    ctx.fill();
    ctx.lineWidth = (sel ? 3 : 2) * unit;
    ctx.strokeStyle = colour;
    ctx.stroke();
    label(z.polygon[0]!, `${info?.name ?? z.zone_id} · ${info?.type ?? '?'}`, colour);
    if (z.service_zone) {
      ctx.setLineDash([4 * unit, 3 * unit]);
      path(z.service_zone, true);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2 * unit;
      ctx.stroke();
      ctx.setLineDash([]);
      label(z.service_zone[0]!, 'till', colour);
    }
    if (sel) z.polygon.forEach((p, k) => handle(p, s.selection?.kind === 'zone' && s.selection.vertex === k));
    const err = s.errors.get(key);
    if (err) label(z.polygon[Math.min(2, z.polygon.length - 1)]!, err[0]!, ERROR);
  });

  s.cam.door_lines.forEach((l, i) => {
    const key: ShapeKey = `line:${i}`;
    const sel = s.selection?.kind === 'line' && s.selection.index === i;
    const { band, arrow } = bandOf(l);
    path(band, true);
    ctx.fillStyle = flashing(key) ? 'rgba(34,211,238,0.55)' : 'rgba(34,211,238,0.18)';
    ctx.fill();
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.lineWidth = (sel ? 4 : 3) * unit;
    ctx.strokeStyle = s.errors.has(key) ? ERROR : '#22d3ee';
    path([l.a, l.b], false);
    ctx.stroke();
    ctx.setLineDash([]);
    // Inside arrow: shaft plus head.
    const [[mx, my], [tx, ty]] = arrow.map(X) as [[number, number], [number, number]];
    const ang = Math.atan2(ty - my, tx - mx);
    ctx.beginPath();
    ctx.moveTo(mx, my);
    ctx.lineTo(tx, ty);
    ctx.lineTo(tx - 9 * unit * Math.cos(ang - 0.5), ty - 9 * unit * Math.sin(ang - 0.5));
    ctx.moveTo(tx, ty);
    ctx.lineTo(tx - 9 * unit * Math.cos(ang + 0.5), ty - 9 * unit * Math.sin(ang + 0.5));
    ctx.lineWidth = 2 * unit;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    label(arrow[1], `${l.line_id} · inside`, '#22d3ee');
    if (sel) {
      handle(l.a, s.selection?.kind === 'line' && s.selection.end === 'a');
      handle(l.b, s.selection?.kind === 'line' && s.selection.end === 'b');
    }
    const err = s.errors.get(key);
    if (err) label(l.a, err[0]!, ERROR);
  });

  if (s.draftLine) {
    ctx.setLineDash([6 * unit, 4 * unit]);
    ctx.lineWidth = 3 * unit;
    ctx.strokeStyle = '#ffffff';
    path(s.draftLine, false);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (s.draftZone.length) {
    ctx.lineWidth = 2 * unit;
    ctx.strokeStyle = '#ffffff';
    path(s.draftZone, false);
    ctx.stroke();
    s.draftZone.forEach((p, k) => handle(p, k === 0));
  }
  for (const d of s.dots) {
    if (d.trail.length > 1) {
      ctx.lineWidth = 2 * unit;
      ctx.strokeStyle = 'rgba(250,204,21,0.7)';
      path(d.trail, false);
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(...X(d.p), 6 * unit, 0, Math.PI * 2);
    ctx.fillStyle = '#facc15';
    ctx.fill();
    label(d.p, `#${d.id}`, '#facc15');
  }
}
