/** The demo's printout: the hub's metrics and funnel as terminal tables (pure formatting) and their fetch. */
import { AppError } from '../../common/errors.js';

export type Json = Record<string, unknown>;

/** Two-column table of the numeric and string fields of an object (nested objects are skipped). */
export function table(title: string, rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length), 6);
  const v = Math.max(...rows.map(([, x]) => x.length), 6);
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(v + 2)}+`;
  return [title, line, ...rows.map(([k, x]) => `| ${k.padEnd(w)} | ${x.padStart(v)} |`), line].join('\n');
}

const fmt = (k: string, x: unknown): string => {
  if (typeof x !== 'number') return String(x);
  if (/rate|conversion/.test(k)) return `${(x * 100).toFixed(1)} %`;
  if (/_ms$/.test(k)) return `${(x / 1000).toFixed(1)} s`;
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
};

export function metricsTable(m: Json): string {
  const rows = Object.entries(m).filter(([, x]) => x === null || typeof x !== 'object').map(([k, x]): [string, string] => [k, x === null ? '–' : fmt(k, x)]);
  return table('Metrics', rows);
}

/** Funnel stages in the order the hub gives them, each with its share of the first stage. */
export function funnelTable(f: Json): string {
  const stages = Object.entries(f).filter(([, x]) => typeof x === 'number') as [string, number][];
  const first = stages[0]?.[1] ?? 0;
  return table('Funnel', stages.map(([k, n]) => [k, `${n}${first > 0 ? ` (${((n / first) * 100).toFixed(0)} %)` : ''}`]));
}

export async function getJson(url: string): Promise<Json> {
  const res = await fetch(url).catch((err: Error) => {
    throw new AppError('INTERNAL', `GET ${url}: ${err.message}`);
  });
  const body = (await res.json().catch(() => ({}))) as Json;
  if (!res.ok) throw new AppError('INTERNAL', `GET ${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** Reads metrics until two consecutive reads agree: the last MQTT batches may still be committing. */
export async function settledMetrics(hubUrl: string, storeId: string, query: string, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
  let prev = '';
  for (let i = 0; i < 20; i++) {
    const m = await getJson(`${hubUrl}/stores/${storeId}/metrics?${query}`);
    const key = JSON.stringify({ ...m, window: null });
    if (key === prev) return m;
    prev = key;
    await sleep(500);
  }
  return getJson(`${hubUrl}/stores/${storeId}/metrics?${query}`);
}
