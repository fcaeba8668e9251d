import { el } from '../dom.js';
import { DEFAULT_ZONE_BAND, ZONE_TYPES, type CameraLayout, type EditLayout, type Selection } from './model.js';

export interface ShapePanelContext {
  layout: EditLayout;
  cam: CameraLayout;
  selection: Selection;
  /** A field changed the layout: redraw the canvas. */
  changed(): void;
  /** The panel itself must be rebuilt (a zone's type decides whether it has a till). */
  reshown(): void;
  deleteSelected(): void;
  /** Start drawing the till (service area) of billing zone `zoneIndex`. */
  drawTill(zoneIndex: number): void;
}

/**
 * The fields of the selected shape: a door line's id, hysteresis and inside side; a zone's name, type, band and,
 * for a billing zone, its till. Edits write straight into the layout being edited.
 */
export function renderShapePanel(root: HTMLElement, c: ShapePanelContext): void {
  const s = c.selection;
  if (!s) return root.replaceChildren();
  const del = el('button', { type: 'button', id: 'cal-delete' }, s.kind === 'line' ? 'Delete line' : s.vertex !== undefined ? 'Delete corner' : 'Delete zone');
  del.addEventListener('click', () => c.deleteSelected());
  const edit = (fn: () => void) => () => {
    fn();
    c.changed();
  };
  if (s.kind === 'line') {
    const l = c.cam.door_lines[s.index]!;
    const id = el('input', { id: 'cal-line-id', value: l.line_id, 'aria-label': 'Door line id' });
    const hyst = el('input', { id: 'cal-hysteresis', type: 'number', step: '0.005', min: '0', max: '0.5', value: l.hysteresis, 'aria-label': 'Hysteresis band' });
    const flip = el('button', { type: 'button', id: 'cal-flip' }, 'Flip inside side');
    id.addEventListener('change', edit(() => (l.line_id = id.value.trim())));
    hyst.addEventListener('input', edit(() => (l.hysteresis = Number(hyst.value))));
    flip.addEventListener('click', edit(() => (l.inside = l.inside === 'left' ? 'right' : 'left')));
    return root.replaceChildren(el('label', {}, 'Line id ', id), el('label', {}, 'Hysteresis ', hyst), flip, del);
  }
  const z = c.cam.zones[s.index]!;
  const info = c.layout.zones.find((q) => q.zone_id === z.zone_id);
  const name = el('input', { id: 'cal-zone-name', value: info?.name ?? '', 'aria-label': 'Zone name' });
  const type = el('select', { id: 'cal-zone-type', 'aria-label': 'Zone type' }, ...ZONE_TYPES.map((t) => el('option', { value: t }, t)));
  type.value = info?.type ?? 'display';
  const band = el('input', { id: 'cal-zone-band', type: 'number', step: '0.005', min: '0', max: '0.2', value: z.band ?? DEFAULT_ZONE_BAND, 'aria-label': 'Zone band' });
  const till = el('button', { type: 'button', id: 'cal-till', hidden: info?.type === 'billing' ? undefined : '' }, z.service_zone ? 'Redraw till area' : 'Draw till area');
  name.addEventListener('input', edit(() => info && (info.name = name.value)));
  band.addEventListener('input', edit(() => (z.band = Number(band.value))));
  type.addEventListener('change', () => {
    if (info) info.type = type.value;
    c.reshown();
    c.changed();
  });
  till.addEventListener('click', () => c.drawTill(s.index));
  root.replaceChildren(el('span', { class: 'cal-id' }, z.zone_id), el('label', {}, 'Name ', name), el('label', {}, 'Type ', type), el('label', {}, 'Band ', band), till, del);
}
