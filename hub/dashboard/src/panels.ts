import type { Anomaly, CameraHealth, Funnel, StoreMetrics } from './api.js';
import { el } from './dom.js';
import { ago, dropOff, integer, KPIS } from './format.js';
import { stageIdentityText } from './identity.js';

/** KPI tiles: the API's numbers, formatted; `data-value` keeps the raw number for tests and tooling. */
export function renderKpis(root: HTMLElement, m: StoreMetrics): void {
  root.replaceChildren(
    ...KPIS.map((k) => {
      const v = k.value(m);
      return el(
        'div',
        { class: 'tile', 'data-kpi': k.key, 'data-value': v ?? '', role: 'group', 'aria-label': k.label },
        el('div', { class: 'tile-label' }, k.label),
        el('div', { class: 'tile-value' }, k.format(v)),
        k.detail ? el('div', { class: 'tile-detail' }, k.detail(m)) : null,
      );
    }),
  );
  root.dataset.from = m.window.from;
  root.dataset.to = m.window.to;
}

const STAGES = [
  { key: 'entry', label: 'Entered' },
  { key: 'zone_visit', label: 'Visited a zone' },
  { key: 'billing_queue', label: 'Billing queue' },
  { key: 'purchased', label: 'Purchased' },
] as const;

/** The funnel as horizontal bars scaled to the entry stage, with the drop-off between stages. */
export function renderFunnel(root: HTMLElement, f: Funnel): void {
  const top = Math.max(1, f.entry);
  root.replaceChildren(
    ...STAGES.map((s, i) => {
      const v = f[s.key];
      const prev = i > 0 ? f[STAGES[i - 1]!.key] : null;
      const pct = Math.max(0, Math.min(100, (v / top) * 100));
      const who = s.key === 'entry' ? undefined : f.identity?.[s.key];
      const whoText = stageIdentityText(who);
      return el(
        'div',
        { class: 'stage', 'data-stage': s.key, 'data-value': v, ...(who && { 'data-linked': who.linked, 'data-unlinked': who.unlinked }) },
        el('div', { class: 'stage-label' }, s.label),
        el('div', { class: 'stage-track' }, el('div', { class: 'stage-bar', style: `width:${pct.toFixed(1)}%` })),
        el('div', { class: 'stage-value' }, integer(v)),
        el('div', { class: 'stage-drop', title: 'drop-off from the previous stage' }, prev === null ? '' : dropOff(prev, v)),
        whoText ? el('div', { class: 'stage-identity', title: 'visitors counted through a cross-camera link, and counted without one' }, whoText) : null,
      );
    }),
  );
}

function detailText(a: Anomaly): string {
  return Object.entries(a.details ?? {})
    .slice(0, 4)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'number' ? Math.round(v * 100) / 100 : String(v)}`)
    .join(' · ');
}

/** Anomalies newest first, coloured by severity. */
export function renderAnomalies(root: HTMLElement, list: Anomaly[], timeZone: string): void {
  const sorted = [...list].sort((a, b) => b.detected_at.localeCompare(a.detected_at));
  if (sorted.length === 0) {
    root.replaceChildren(el('li', { class: 'empty' }, 'No anomalies in this window.'));
    return;
  }
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', day: '2-digit', month: 'short' });
  root.replaceChildren(
    ...sorted.map((a) =>
      el(
        'li',
        { class: `anomaly sev-${a.severity}`, 'data-type': a.type },
        el('span', { class: 'badge' }, a.severity),
        el('strong', {}, a.type.replace(/_/g, ' ').toLowerCase()),
        a.zone_id || a.camera_id ? el('span', { class: 'where' }, a.zone_id ?? a.camera_id ?? '') : null,
        el('time', { datetime: a.detected_at }, fmt.format(new Date(a.detected_at))),
        el('div', { class: 'details' }, detailText(a)),
      ),
    ),
  );
}

/** Camera health rows from GET /health (state, fps, spool, last heartbeat, lag). */
export function renderHealth(root: HTMLElement, cameras: Record<string, CameraHealth>, expected: string[], now: number): void {
  const ids = [...new Set([...expected, ...Object.keys(cameras)])].sort();
  if (ids.length === 0) {
    root.replaceChildren(el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No cameras reported yet.')));
    return;
  }
  root.replaceChildren(
    ...ids.map((id) => {
      const c = cameras[id];
      const state = c?.state ?? 'unknown';
      return el(
        'tr',
        { 'data-camera': id },
        el('th', { scope: 'row' }, id),
        el('td', {}, el('span', { class: `state state-${state}` }, state)),
        el('td', {}, c?.fps == null ? '–' : c.fps.toFixed(1)),
        el('td', {}, c?.spool_depth == null ? '–' : integer(c.spool_depth)),
        el('td', {}, c ? ago(c.last_heartbeat, now) : 'never'),
        el('td', {}, c ? `${c.lag_minutes} min` : '–'),
      );
    }),
  );
}
