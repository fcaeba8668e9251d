import type { CameraGrid, Layout, ZoneHeat } from './api.js';
import { el } from './dom.js';
import { heatColor } from './format.js';

type CameraLayout = Layout['cameras'][number];

export interface CameraViewData {
  camera: CameraLayout;
  grid: CameraGrid | null;
  /** Object URL of the people-free background, or null when the agent has not sent one yet. */
  backgroundUrl: string | null;
  zones: ZoneHeat[];
}

const DEFAULT_W = 480;
const DEFAULT_H = 270;

/** Resolves with the decoded image, or null when it cannot be decoded. */
export function loadImage(url: string): Promise<HTMLImageElement | null> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = url;
  });
}

/**
 * One camera: its background frame (people removed on the agent), where people stood (occupancy grid, cells
 * shaded by share of the busiest cell) and the camera's zone polygons and door lines from the layout.
 */
export async function renderCameraView(root: HTMLElement, d: CameraViewData): Promise<void> {
  const img = d.backgroundUrl ? await loadImage(d.backgroundUrl) : null;
  const w = img?.naturalWidth || DEFAULT_W;
  const h = img?.naturalHeight || DEFAULT_H;
  const canvas = el('canvas', { width: w, height: h, role: 'img', class: 'cam-canvas' });
  const ctx = canvas.getContext('2d')!;
  if (img) ctx.drawImage(img, 0, 0, w, h);
  else {
    ctx.fillStyle = '#2b3440';
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = '#9aa5b1';
    ctx.font = '14px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('no background frame yet', w / 2, h / 2);
  }

  const g = d.grid;
  let cells = 0;
  if (g && g.cols > 0 && g.max > 0) {
    const cw = w / g.cols;
    const ch = h / g.rows;
    for (let i = 0; i < g.counts.length; i++) {
      const v = g.counts[i]!;
      if (v <= 0) continue;
      cells += 1;
      const share = v / g.max;
      ctx.fillStyle = heatColor(share, 0.25 + 0.5 * share);
      ctx.fillRect((i % g.cols) * cw, Math.floor(i / g.cols) * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }

  const heat = new Map(d.zones.map((z) => [z.zone_id, z]));
  ctx.lineWidth = 2;
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textAlign = 'left';
  for (const z of d.camera.zones) {
    ctx.beginPath();
    z.polygon.forEach(([x, y], i) => (i ? ctx.lineTo(x * w, y * h) : ctx.moveTo(x * w, y * h)));
    ctx.closePath();
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    const [lx, ly] = z.polygon[0]!;
    const label = heat.get(z.zone_id)?.name ?? z.zone_id;
    ctx.fillStyle = 'rgba(0,0,0,0.6)';
    ctx.fillRect(lx * w + 2, ly * h + 2, ctx.measureText(label).width + 8, 18);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, lx * w + 6, ly * h + 15);
  }
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = '#22d3ee';
  for (const line of d.camera.door_lines) {
    ctx.beginPath();
    ctx.moveTo(line.a[0] * w, line.a[1] * h);
    ctx.lineTo(line.b[0] * w, line.b[1] * h);
    ctx.stroke();
  }

  const minutes = g?.minutes ?? 0;
  const title = d.camera.name ? `${d.camera.name} (${d.camera.camera_id})` : d.camera.camera_id;
  canvas.setAttribute('aria-label', `${title}: where people stood over ${minutes} minutes, ${cells} occupied cells`);
  root.dataset.camera = d.camera.camera_id;
  root.dataset.minutes = String(minutes);
  root.dataset.background = img ? 'yes' : 'no';
  root.replaceChildren(
    el('h3', {}, title),
    canvas,
    el('p', { class: 'cam-caption' }, minutes > 0 ? `${minutes} min of positions; darker = more time spent` : 'No positions in this window yet.'),
  );
}
