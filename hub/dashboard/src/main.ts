import { downloadUrl, getImageUrl, getJson, HttpError, setApiKey, streamUrl, type Anomaly, type CameraGrid, type CameraHealth, type Funnel, type Layout, type StoreMetrics, type ZoneHeat } from './api.js';
import { renderCameraView } from './camera-view.js';
import { isCalibrateRoute, startCalibration } from './calibrate/page.js';
import { byId, el } from './dom.js';
import { renderFloorPlan } from './floor-plan.js';
import { createHourlyChart } from './hourly-chart.js';
import { connectLive, type LiveState } from './live.js';
import { renderIdentity } from './identity.js';
import { renderAnomalies, renderFunnel, renderHealth, renderKpis } from './panels.js';
import { toSearch, windowQuery, type RangeKind, type WindowQuery } from './time-window.js';
import './styles.css';

interface StoreInfo {
  store_id: string;
  name: string;
  timezone: string;
}

const ui = {
  store: byId<HTMLSelectElement>('store'),
  range: byId<HTMLSelectElement>('range'),
  custom: byId('custom-range'),
  from: byId<HTMLInputElement>('from'),
  to: byId<HTMLInputElement>('to'),
  live: byId('live-status'),
  kpis: byId('kpis'),
  identity: byId('identity'),
  funnel: byId('funnel'),
  hourly: byId('hourly'),
  plan: byId('floor-plan'),
  cameras: byId('cameras'),
  anomalies: byId('anomalies'),
  health: byId('camera-health'),
  error: byId('error'),
  keyForm: byId<HTMLFormElement>('key-form'),
  keyInput: byId<HTMLInputElement>('api-key'),
  csvHour: byId<HTMLAnchorElement>('csv-hour'),
  csvDay: byId<HTMLAnchorElement>('csv-day'),
};

const state = {
  stores: [] as StoreInfo[],
  storeId: '',
  layout: null as Layout | null,
  query: {} as WindowQuery,
  zones: [] as ZoneHeat[],
  live: null as { close(): void } | null,
  imageUrls: new Map<string, string>(),
};
const chart = createHourlyChart(ui.hourly);
const store = () => state.stores.find((s) => s.store_id === state.storeId);
const tz = () => store()?.timezone ?? 'UTC';
const base = () => `/stores/${encodeURIComponent(state.storeId)}`;

function showError(err: unknown): void {
  if (err instanceof HttpError && err.status === 401) ui.keyForm.hidden = false;
  ui.error.textContent = err instanceof Error ? err.message : String(err);
  ui.error.hidden = false;
}

function setLive(s: LiveState): void {
  ui.live.dataset.state = s;
  ui.live.textContent = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  document.body.classList.toggle('offline', s === 'reconnecting');
}

async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    showError(err);
  }
}

async function refreshMetrics(): Promise<void> {
  const m = await getJson<StoreMetrics>(`${base()}/metrics${toSearch(state.query)}`);
  renderKpis(ui.kpis, m);
  renderIdentity(ui.identity, m);
}

async function refreshCharts(): Promise<void> {
  const q = toSearch(state.query);
  const [funnel, hourly, heat, anomalies] = await Promise.all([
    getJson<Funnel>(`${base()}/funnel${q}`),
    getJson<{ hours: StoreMetrics[] }>(`${base()}/metrics/hourly${q}`),
    getJson<{ zones: ZoneHeat[] } | ZoneHeat[]>(`${base()}/heatmap${q}`),
    getJson<Anomaly[] | { anomalies: Anomaly[] }>(`${base()}/anomalies${q}`),
  ]);
  state.zones = Array.isArray(heat) ? heat : heat.zones;
  renderFunnel(ui.funnel, funnel);
  chart.render(hourly.hours, tz());
  renderFloorPlan(ui.plan, state.layout, state.zones);
  renderAnomalies(ui.anomalies, Array.isArray(anomalies) ? anomalies : anomalies.anomalies, tz());
  ui.error.hidden = true;
}

async function refreshCameras(only?: string): Promise<void> {
  const cams = (state.layout?.cameras ?? []).filter((c) => !only || c.camera_id === only);
  // Cards are created in layout order before any fetch, so they do not shuffle by response order.
  for (const c of cams) {
    if (!ui.cameras.querySelector(`[data-camera="${CSS.escape(c.camera_id)}"]`)) ui.cameras.append(el('figure', { class: 'camera', 'data-camera': c.camera_id }));
  }
  await Promise.all(
    cams.map(async (camera) => {
        const path = `${base()}/cameras/${encodeURIComponent(camera.camera_id)}`;
        const [grid, url] = await Promise.all([getJson<CameraGrid>(`${path}/heatmap${toSearch(state.query)}`), getImageUrl(`${path}/background`)]);
        const old = state.imageUrls.get(camera.camera_id);
        if (old) URL.revokeObjectURL(old);
        if (url) state.imageUrls.set(camera.camera_id, url);
        const card = ui.cameras.querySelector<HTMLElement>(`[data-camera="${CSS.escape(camera.camera_id)}"]`)!;
        await renderCameraView(card, { camera, grid, backgroundUrl: url, zones: state.zones });
      }),
  );
}

async function refreshHealth(): Promise<void> {
  const h = await getJson<{ stores?: Record<string, { cameras: Record<string, CameraHealth> }> }>('/health');
  const expected = state.layout?.cameras.map((c) => c.camera_id) ?? [];
  renderHealth(ui.health, h.stores?.[state.storeId]?.cameras ?? {}, expected, Date.now());
}

let chartsTimer: number | undefined;
/** Coalesces refreshes of the slower panels when metrics frames arrive in quick succession. */
function refreshChartsSoon(): void {
  window.clearTimeout(chartsTimer);
  chartsTimer = window.setTimeout(() => void guarded(refreshCharts), 300);
}

function connect(): void {
  state.live?.close();
  state.live = connectLive(streamUrl(`${base()}/stream${toSearch(state.query)}`), {
    onState: setLive,
    onMetrics: (m) => {
      renderKpis(ui.kpis, m as StoreMetrics);
      renderIdentity(ui.identity, m as StoreMetrics);
      refreshChartsSoon();
    },
    onHeatmap: (cam) => void guarded(() => refreshCameras(cam)),
    onOpen: () => void guarded(async () => {
      await refreshCharts();
      await Promise.all([refreshCameras(), refreshHealth()]);
    }),
  });
}

async function selectStore(id: string): Promise<void> {
  state.storeId = id;
  ui.store.value = id;
  ui.cameras.replaceChildren();
  const params = new URLSearchParams(location.search);
  params.set('store', id);
  history.replaceState(null, '', `?${params}`);
  state.layout = await getJson<Layout>(`${base()}/layout`).catch(() => null);
  await applyWindow();
}

async function applyWindow(): Promise<void> {
  const kind = ui.range.value as RangeKind;
  ui.custom.hidden = kind !== 'custom';
  state.query = windowQuery(kind, Date.now(), { from: ui.from.value, to: ui.to.value });
  ui.csvHour.href = downloadUrl(`${base()}/report.csv${toSearch(state.query, { interval: 'hour' })}`);
  ui.csvDay.href = downloadUrl(`${base()}/report.csv${toSearch(state.query, { interval: 'day' })}`);
  await guarded(refreshMetrics);
  connect();
}

async function start(): Promise<void> {
  const res = await getJson<{ stores: StoreInfo[] } | StoreInfo[]>('/stores');
  state.stores = Array.isArray(res) ? res : res.stores;
  ui.store.replaceChildren(...state.stores.map((s) => el('option', { value: s.store_id }, `${s.name} (${s.store_id})`)));
  const wanted = new URLSearchParams(location.search).get('store');
  const first = state.stores.find((s) => s.store_id === wanted) ?? state.stores[0];
  if (!first) {
    showError(new Error('The hub knows no store yet: load a layout (STORE_LAYOUT) first.'));
    return;
  }
  const today = new Date().toISOString().slice(0, 10);
  ui.from.value ||= today;
  ui.to.value ||= today;
  await selectStore(first.store_id);
}

ui.store.addEventListener('change', () => void guarded(() => selectStore(ui.store.value)));
ui.range.addEventListener('change', () => void guarded(applyWindow));
ui.from.addEventListener('change', () => void guarded(applyWindow));
ui.to.addEventListener('change', () => void guarded(applyWindow));
ui.keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  setApiKey(ui.keyInput.value.trim());
  location.reload();
});
window.addEventListener('resize', () => chart.resize());
// Health has no push channel (heartbeats arrive over MQTT every 10 s); the last-hour window rolls each minute.
window.setInterval(() => void guarded(refreshHealth), 10_000);
window.setInterval(() => {
  if (ui.range.value === 'last_hour') void guarded(applyWindow);
}, 60_000);

// /#/calibrate is the camera calibration editor (calibrate/page.ts); anything else is the dashboard.
window.addEventListener('hashchange', () => location.reload());
void guarded(isCalibrateRoute() ? startCalibration : start);
