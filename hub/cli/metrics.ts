import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError, isAppError } from '../../common/errors.js';
import { idSchema } from '../../common/event.js';
import { describeIssues } from '../../common/layout.js';
import { duration, integer, KPIS, percent } from '../dashboard/src/format.js';

/**
 * `npm run metrics -- --store STORE_BLR_002 [--hub http://127.0.0.1:8000] [--from …] [--to …] [--top 5]`: the
 * store's metrics, funnel and busiest zones as terminal tables, read from a running hub's API (the same numbers the
 * dashboard shows, formatted by the same functions). HUB_URL and HUB_API_KEY are read from the environment.
 */
const argsSchema = z.object({
  store: idSchema,
  hub: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  top: z.coerce.number().int().min(1).max(100).default(5),
  apiKey: z.string().min(1).optional(),
});
export type MetricsArgs = z.output<typeof argsSchema>;

export function parseMetricsArgs(argv: string[], env: Record<string, string | undefined>): MetricsArgs {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: { store: { type: 'string' }, hub: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string' } },
      strict: true,
    }).values as Record<string, string | undefined>;
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${(err as Error).message} (usage: npm run metrics -- --store <id> [--hub <url>] [--from <iso>] [--to <iso>] [--top <n>])`);
  }
  if (!values.store) throw new AppError('BAD_REQUEST', '--store: required (e.g. --store STORE_BLR_002)');
  const r = argsSchema.safeParse({ ...values, hub: values.hub ?? env.HUB_URL ?? 'http://127.0.0.1:8000', apiKey: env.HUB_API_KEY || undefined });
  if (!r.success) throw new AppError('BAD_REQUEST', describeIssues(r.error).replace(/^(\w+)/, '--$1'));
  return r.data;
}

/** A plain-text table: a header row, a rule, then rows; numeric-looking cells are right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (s: string) => /^[−\-+]?[\d,.]+\s?(%|s|min|h)?$|^–$|^\d/.test(s);
  const line = (cells: string[]) => cells.map((c, i) => (numeric(c) && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

interface Zone {
  zone_id: string;
  name?: string;
  frequency: number;
  avg_dwell_ms: number;
  normalized: number;
}

/** Pure: the three tables for a store, from the API's answers. */
export function renderReport(
  store: string,
  metrics: Record<string, unknown> & { window: { from: string; to: string } },
  funnel: Record<string, number>,
  zones: Zone[],
  top: number,
): string {
  // The tiles' own value functions read the API's body (it is StoreMetrics; this file only sees JSON).
  const kpis = KPIS.map((k) => [k.label, k.format(k.value(metrics as never))]);
  const inr = (v: unknown) => `₹${Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  kpis.push(
    ['Unattributed transactions', integer(Number(metrics.unattributed_transactions))],
    ['Average zone dwell', duration(Number(metrics.avg_zone_dwell_ms))],
    ['Sales', inr(metrics.sales_total)],
    ['Average transaction value', inr(metrics.atv)],
    ['Sales per visitor', inr(metrics.sales_per_visitor)],
  );
  const stages = ['entry', 'zone_visit', 'billing_queue', 'purchased'] as const;
  const funnelRows = stages.map((s, i) => {
    const prev = i > 0 ? funnel[stages[i - 1]!]! : null;
    const v = funnel[s] ?? 0;
    return [s.replace('_', ' '), integer(v), funnel.entry ? percent(v / funnel.entry) : '–', prev ? percent(v / prev) : '–'];
  });
  const topZones = [...zones].sort((a, b) => b.frequency - a.frequency || a.zone_id.localeCompare(b.zone_id)).slice(0, top);
  return [
    `Store ${store}   window ${metrics.window.from} → ${metrics.window.to}`,
    '',
    table(['Metric', 'Value'], kpis),
    '',
    table(['Funnel stage', 'Visitors', 'Of entry', 'Of previous'], funnelRows),
    '',
    table(['Zone', 'Name', 'Visitors', 'Avg dwell', 'Heat'], topZones.map((z) => [z.zone_id, z.name ?? '', integer(z.frequency), duration(z.avg_dwell_ms), `${z.normalized}/100`])),
    '',
  ].join('\n');
}

async function getJson(args: MetricsArgs, path: string): Promise<unknown> {
  const q = new URLSearchParams();
  if (args.from) q.set('from', args.from);
  if (args.to) q.set('to', args.to);
  const url = `${args.hub.replace(/\/$/, '')}/stores/${encodeURIComponent(args.store)}/${path}${q.size ? `?${q}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: args.apiKey ? { authorization: `Bearer ${args.apiKey}` } : {} });
  } catch (err) {
    throw new AppError('BAD_REQUEST', `cannot reach the hub at ${args.hub}: ${(err as Error).cause ?? (err as Error).message} (set --hub or HUB_URL)`);
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok) throw new AppError('BAD_REQUEST', `GET ${url} → ${res.status}: ${body?.error?.message ?? res.statusText}`);
  return body;
}

export async function runMetricsCli(argv: string[], env: Record<string, string | undefined>, out: (s: string) => void): Promise<void> {
  const args = parseMetricsArgs(argv, env);
  const [metrics, funnel, heat] = await Promise.all([getJson(args, 'metrics'), getJson(args, 'funnel'), getJson(args, 'heatmap')]);
  const zones = Array.isArray(heat) ? (heat as Zone[]) : (heat as { zones: Zone[] }).zones;
  out(renderReport(args.store, metrics as never, funnel as Record<string, number>, zones, args.top));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMetricsCli(process.argv.slice(2), process.env, (s) => process.stdout.write(s)).catch((err) => {
    process.stderr.write(`metrics: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
    process.exit(isAppError(err) ? 2 : 1);
  });
}
