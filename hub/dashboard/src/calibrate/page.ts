/**
 * The calibration page (/#/calibrate): pick a store and camera, draw door lines and zone polygons over the
 * camera's people-free background, name and type zones, save with PUT /stores/:id/layout. The hub then pushes
 * the layout to the camera's agent (retained config message), which applies it between frames.
 */
import { getImageUrl, getJson, HttpError } from '../api.js';
import { loadImage } from '../camera-view.js';
import { el } from '../dom.js';
import { drawScene, type Scene } from './draw.js';
import {
  addZone, clampPt, DEFAULT_HYSTERESIS, deleteVertex, errorsByShape, hit, nextId, pxDist, removeZone, roundPt, snap, snapTargets,
  type EditLayout, type Pt, type Selection, type ShapeKey,
} from './model.js';
import { putLayout } from './save.js';
import { renderShapePanel } from './shape-panel.js';
import { watchLive } from './live-dots.js';
import './calibrate.css';

/** `till`: drawing the selected billing zone's service area (its till), a polygon like a zone's. */
type Mode = 'select' | 'line' | 'zone' | 'till';

export function isCalibrateRoute(): boolean {
  return location.hash.startsWith('#/calibrate');
}

export async function startCalibration(): Promise<void> {
  document.querySelectorAll<HTMLElement>('body > main, header .controls').forEach((hide) => (hide.hidden = true));
  const storeSel = el('select', { id: 'cal-store', 'aria-label': 'Store' });
  const camSel = el('select', { id: 'cal-camera', 'aria-label': 'Camera' });
  const modeBtns = (['select', 'line', 'zone'] as Mode[]).map((m) =>
    el('button', { type: 'button', 'data-mode': m, class: 'cal-mode' }, m === 'select' ? 'Select / drag' : m === 'line' ? 'Draw door line' : 'Draw zone'),
  );
  const finishBtn = el('button', { type: 'button', id: 'cal-finish', hidden: '' }, 'Close polygon');
  const keyInput = el('input', { id: 'cal-key', type: 'password', autocomplete: 'off', placeholder: 'admin API key', 'aria-label': 'Admin API key' });
  const saveBtn = el('button', { type: 'button', id: 'cal-save', class: 'primary' }, 'Save layout');
  const status = el('p', { id: 'cal-status', role: 'status', 'aria-live': 'polite' });
  const errorList = el('ul', { id: 'cal-errors', class: 'cal-errors' });
  const props = el('div', { id: 'cal-props', class: 'cal-props' });
  const canvas = el('canvas', { id: 'cal-canvas', class: 'cal-canvas', width: 640, height: 360, role: 'img', 'aria-label': 'Camera background with door lines and zones' });
  const root = el(
    'section',
    { id: 'calibrate', class: 'calibrate', 'aria-label': 'Calibrate a camera' },
    el('div', { class: 'cal-bar' }, el('label', {}, 'Store ', storeSel), el('label', {}, 'Camera ', camSel), ...modeBtns, finishBtn),
    canvas,
    el('p', { class: 'cal-hint' }, 'Door line: drag from one end to the other; the arrow points inside, the shaded band is the hysteresis. Zone: click the corners, then click the first corner (or "Close polygon"). Select: drag a handle, Delete removes the selected corner or shape.'),
    props,
    errorList,
    el('div', { class: 'cal-bar' }, keyInput, saveBtn),
    status,
  );
  document.body.append(root);
  keyInput.value = sessionStorage.getItem('si_admin_key') ?? '';

  const st = {
    layout: null as EditLayout | null,
    ci: 0,
    img: null as HTMLImageElement | null,
    mode: 'select' as Mode,
    /** The billing zone whose till is being drawn. */
    tillOf: -1,
    selection: null as Selection,
    drag: null as Selection,
    draftLine: null as [Pt, Pt] | null,
    draftZone: [] as Pt[],
    errors: new Map<ShapeKey, string[]>(),
    live: null as ReturnType<typeof watchLive> | null,
  };
  const cam = () => st.layout!.cameras[st.ci]!;
  const view = () => ({ w: canvas.width, h: canvas.height, scale: canvas.width / canvas.getBoundingClientRect().width || 1 });
  /** Pointer → normalised point (the canvas is CSS-scaled to the page width, so use its on-screen box). */
  const toNorm = (e: PointerEvent): Pt => {
    const r = canvas.getBoundingClientRect();
    return clampPt([(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height]);
  };
  const tol = () => 12 * view().scale; // 12 CSS pixels whatever the image's resolution

  function render(): void {
    if (!st.layout) return;
    const scene: Scene = { img: st.img, cam: cam(), storeZones: st.layout.zones, selection: st.selection, draftLine: st.draftLine, draftZone: st.draftZone, errors: st.errors, dots: st.live?.dots() ?? [], flashes: st.live?.flashes() ?? new Map(), now: Date.now(), pxPerCss: view().scale };
    drawScene(canvas.getContext('2d')!, scene);
    canvas.dataset.lines = String(cam().door_lines.length);
    canvas.dataset.zones = String(cam().zones.length);
    canvas.dataset.dots = String(scene.dots.length);
    canvas.dataset.flashing = [...scene.flashes].filter(([, t]) => t > scene.now).map(([k]) => k).join(' ');
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.dataset.mode === st.mode));
    finishBtn.hidden = st.mode !== 'zone' && st.mode !== 'till';
    renderErrors();
  }

  function renderErrors(): void {
    errorList.replaceChildren(
      ...[...st.errors].flatMap(([key, msgs]) => msgs.map((m) => el('li', { 'data-shape': key }, `${shapeName(key)}: ${m}`))),
    );
  }
  const shapeName = (key: ShapeKey): string => {
    const [kind, i] = key.split(':');
    if (kind === 'line') return `door line ${cam().door_lines[Number(i)]?.line_id ?? i}`;
    if (kind === 'zone') return `zone ${cam().zones[Number(i)]?.zone_id ?? i}`;
    return 'layout';
  };

  function renderProps(): void {
    if (!st.layout) return;
    renderShapePanel(props, {
      layout: st.layout,
      cam: cam(),
      selection: st.selection,
      changed: render,
      reshown: renderProps,
      deleteSelected,
      drawTill(zoneIndex) {
        st.mode = 'till';
        st.tillOf = zoneIndex;
        st.draftZone = [];
        status.textContent = 'Click the corners of the till (service area) of this billing zone, then the first corner again.';
        render();
      },
    });
  }

  function select(s: Selection): void {
    st.selection = s;
    renderProps();
    render();
  }

  function deleteSelected(): void {
    const s = st.selection;
    if (!s) return;
    if (s.kind === 'line') cam().door_lines.splice(s.index, 1);
    else if (s.vertex !== undefined) {
      if (!deleteVertex(cam().zones[s.index]!, s.vertex)) return void (status.textContent = 'A zone keeps at least three corners.');
    } else removeZone(st.layout!, st.ci, s.index);
    select(null);
  }

  function finishZone(): void {
    if (st.draftZone.length < 3) return void (status.textContent = 'A zone needs at least three corners.');
    if (st.mode === 'till') {
      cam().zones[st.tillOf]!.service_zone = st.draftZone.map(roundPt);
      st.draftZone = [];
      st.mode = 'select';
      return select({ kind: 'zone', index: st.tillOf });
    }
    const zi = addZone(st.layout!, st.ci, st.draftZone);
    st.draftZone = [];
    st.mode = 'select';
    select({ kind: 'zone', index: zi });
  }

  canvas.addEventListener('pointerdown', (e) => {
    if (!st.layout) return;
    canvas.setPointerCapture(e.pointerId);
    const v = view();
    const p = snap(toNorm(e), snapTargets(cam()), v, tol());
    if (st.mode === 'line') st.draftLine = [p, p];
    else if (st.mode === 'zone' || st.mode === 'till') {
      if (st.draftZone.length >= 3 && pxDist(p, st.draftZone[0]!, v) <= tol()) return finishZone();
      st.draftZone.push(p);
    } else {
      const h = hit(cam(), toNorm(e), v, tol());
      st.drag = h && ((h.kind === 'line' && h.end) || (h.kind === 'zone' && h.vertex !== undefined)) ? h : null;
      select(h);
      return;
    }
    render();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!st.layout) return;
    if (st.draftLine) {
      st.draftLine[1] = snap(toNorm(e), snapTargets(cam()), view(), tol());
      render();
    } else if (st.drag) {
      const p = roundPt(snap(toNorm(e), snapTargets(cam(), st.drag), view(), tol()));
      if (st.drag.kind === 'line') cam().door_lines[st.drag.index]![st.drag.end!] = p;
      else cam().zones[st.drag.index]!.polygon[st.drag.vertex!] = p;
      render();
    }
  });
  canvas.addEventListener('pointerup', () => {
    if (st.draftLine) {
      const [a, b] = st.draftLine;
      st.draftLine = null;
      if (pxDist(a, b, view()) >= 3 * tol()) {
        const id = nextId('DOOR', st.layout!.cameras.flatMap((c) => c.door_lines.map((l) => l.line_id)));
        cam().door_lines.push({ line_id: id, a: roundPt(a), b: roundPt(b), inside: 'left', hysteresis: DEFAULT_HYSTERESIS });
        st.mode = 'select';
        return select({ kind: 'line', index: cam().door_lines.length - 1 });
      }
    }
    st.drag = null;
    render();
  });
  document.addEventListener('keydown', (e) => {
    if ((e.key === 'Delete' || e.key === 'Backspace') && !(e.target instanceof HTMLInputElement)) deleteSelected();
    if (e.key === 'Enter' && (st.mode === 'zone' || st.mode === 'till')) finishZone();
    if (e.key === 'Escape') {
      st.draftZone = [];
      st.draftLine = null;
      render();
    }
  });
  for (const b of modeBtns) {
    b.addEventListener('click', () => {
      st.mode = b.dataset.mode as Mode;
      st.draftZone = [];
      select(null);
    });
  }
  finishBtn.addEventListener('click', finishZone);

  saveBtn.addEventListener('click', async () => {
    if (!st.layout) return;
    sessionStorage.setItem('si_admin_key', keyInput.value.trim());
    status.textContent = 'Saving…';
    const r = await putLayout(st.layout, keyInput.value.trim());
    if (r.ok) {
      const camId = cam().camera_id;
      st.layout = r.layout;
      st.ci = Math.max(0, st.layout.cameras.findIndex((c) => c.camera_id === camId));
      st.errors = new Map();
      status.textContent = `Saved. The hub pushes it to camera ${camId}; its agent applies it from the next frame.`;
      root.dataset.saved = String(Number(root.dataset.saved ?? 0) + 1);
    } else {
      st.errors = r.status === 400 ? errorsByShape(r.message, st.layout, st.ci) : new Map([['layout', [r.message]]]);
      status.textContent = r.status === 401 || r.status === 403 ? 'Saving needs an admin API key.' : 'Not saved: see the problems listed.';
    }
    renderProps();
    render();
  });

  async function loadCamera(): Promise<void> {
    const c = cam();
    st.selection = null;
    st.errors = new Map();
    const url = await getImageUrl(`/stores/${encodeURIComponent(st.layout!.store_id)}/cameras/${encodeURIComponent(c.camera_id)}/background`);
    st.img = url ? await loadImage(url) : null;
    // The canvas takes the background's own pixel size (real aspect ratio); CSS scales it to the page width.
    canvas.width = st.img?.naturalWidth || 640;
    canvas.height = st.img?.naturalHeight || 360;
    root.dataset.background = st.img ? 'yes' : 'no';
    // Watching the camera's live positions is what asks its agent to send them; one stream per open page.
    st.live?.close();
    st.live = watchLive(
      `/stores/${encodeURIComponent(st.layout!.store_id)}/cameras/${encodeURIComponent(c.camera_id)}/live`,
      (zoneId) => cam().zones.findIndex((z) => z.zone_id === zoneId),
      () => cam().door_lines.length,
      render,
    );
    renderProps();
    render();
  }

  async function loadStore(id: string): Promise<void> {
    st.layout = await getJson<EditLayout>(`/stores/${encodeURIComponent(id)}/layout`);
    camSel.replaceChildren(...st.layout.cameras.map((c) => el('option', { value: c.camera_id }, c.name ? `${c.name} (${c.camera_id})` : c.camera_id)));
    const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('camera');
    st.ci = Math.max(0, st.layout.cameras.findIndex((c) => c.camera_id === wanted));
    camSel.value = st.layout.cameras[st.ci]?.camera_id ?? '';
    if (!st.layout.cameras.length) return void (status.textContent = 'This store has no camera in its layout yet.');
    await loadCamera();
  }

  const stores = await getJson<{ stores: { store_id: string; name: string }[] } | { store_id: string; name: string }[]>('/stores');
  const list = Array.isArray(stores) ? stores : stores.stores;
  storeSel.replaceChildren(...list.map((s) => el('option', { value: s.store_id }, `${s.name} (${s.store_id})`)));
  const wantedStore = new URLSearchParams(location.hash.split('?')[1] ?? '').get('store');
  const first = list.find((s) => s.store_id === wantedStore) ?? list[0];
  storeSel.addEventListener('change', () => void loadStore(storeSel.value).catch(showError));
  camSel.addEventListener('change', () => {
    st.ci = Math.max(0, st.layout!.cameras.findIndex((c) => c.camera_id === camSel.value));
    void loadCamera().catch(showError);
  });
  if (!first) return void (status.textContent = 'The hub knows no store yet.');
  storeSel.value = first.store_id;
  await loadStore(first.store_id);
  root.dataset.ready = 'yes';

  function showError(err: unknown): void {
    status.textContent = err instanceof HttpError ? `${err.status}: ${err.message}` : String(err);
  }
}

