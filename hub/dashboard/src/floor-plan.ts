import type { Layout, ZoneHeat } from './api.js';
import { svg } from './dom.js';
import { duration, heatColor, integer, percent } from './format.js';

// The layout holds camera polygons, not floor coordinates, so the floor plan is schematic: one band per kind of
// zone, from the back of the store (staff rooms) to the door (billing, entrance), zones side by side in a band.
const BANDS: string[][] = [['staff_only'], ['aisle', 'display'], ['billing', 'entrance']];
const W = 600;
const H = 300;
const GAP = 8;

/** The store's zones as a floor plan coloured by `normalized`; frequency and dwell on hover (SVG <title>). */
export function renderFloorPlan(root: HTMLElement, layout: Layout | null, zones: ZoneHeat[]): void {
  const byId = new Map(zones.map((z) => [z.zone_id, z]));
  const known = layout?.zones ?? zones.map((z) => ({ zone_id: z.zone_id, name: z.name ?? z.zone_id, type: z.type ?? 'aisle' }));
  const bands = BANDS.map((types) => known.filter((z) => types.includes(z.type))).filter((b) => b.length > 0);
  const other = known.filter((z) => !BANDS.flat().includes(z.type));
  if (other.length) bands.splice(1, 0, other);
  const bandH = (H - GAP * (bands.length + 1)) / Math.max(1, bands.length);
  const plan = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Store floor plan coloured by zone traffic', class: 'plan' });
  plan.append(svg('rect', { x: 1, y: 1, width: W - 2, height: H - 2, rx: 10, class: 'plan-outline' }));
  bands.forEach((band, bi) => {
    const y = GAP + bi * (bandH + GAP);
    const w = (W - GAP * (band.length + 1)) / band.length;
    band.forEach((z, zi) => {
      const x = GAP + zi * (w + GAP);
      const heat = byId.get(z.zone_id);
      const n = heat?.normalized ?? 0;
      const conv = heat?.conversion_rate ?? 0;
      const tip = `${z.name}: ${integer(heat?.frequency ?? 0)} visitors, average dwell ${duration(heat?.avg_dwell_ms ?? 0)}, ${percent(conv)} of its visitors bought (${n}/100)`;
      const g = svg('g', { class: 'zone', 'data-zone': z.zone_id, 'data-normalized': n, 'data-conversion': conv, tabindex: 0, 'aria-label': tip });
      g.append(
        svg('title', {}, tip),
        svg('rect', { x, y, width: w, height: bandH, rx: 6, fill: heatColor(n / 100, 0.9), class: 'zone-rect' }),
        svg('text', { x: x + w / 2, y: y + bandH / 2 - 6, class: `zone-name${n > 60 ? ' on-dark' : ''}` }, z.name),
        svg('text', { x: x + w / 2, y: y + bandH / 2 + 14, class: `zone-stat${n > 60 ? ' on-dark' : ''}` }, `${integer(heat?.frequency ?? 0)} visitors · ${duration(heat?.avg_dwell_ms ?? 0)} dwell`),
        svg('text', { x: x + w / 2, y: y + bandH / 2 + 32, class: `zone-stat zone-conversion${n > 60 ? ' on-dark' : ''}` }, `${percent(conv)} bought`),
      );
      plan.append(g);
    });
  });
  if (known.length === 0) plan.append(svg('text', { x: W / 2, y: H / 2, class: 'zone-name' }, 'No zones in the layout'));
  root.replaceChildren(plan);
}
