import { apiKey } from '../api.js';
import type { EditLayout } from './model.js';

export type SaveResult = { ok: true; layout: EditLayout } | { ok: false; status: number; message: string };

/** PUT /stores/:id/layout with the admin key (or the remembered read key on an open hub); the hub's answer. */
export async function putLayout(layout: EditLayout, adminKey: string): Promise<SaveResult> {
  const key = adminKey || apiKey();
  const res = await fetch(`/stores/${encodeURIComponent(layout.store_id)}/layout`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(layout),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } } & Partial<EditLayout>;
  if (res.ok) return { ok: true, layout: body as EditLayout };
  return { ok: false, status: res.status, message: body.error?.message ?? `HTTP ${res.status}` };
}
