import { z } from 'zod';
import { storeEventSchema } from '../../common/event.js';
import { ERROR_CODES } from '../../common/errors.js';
import { funnelSchema, heatmapSchema, hourlyMetricsSchema, storeMetricsSchema } from './metrics-schemas.js';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const errorSchema = z.object({
  error: z.object({ code: z.enum(Object.keys(ERROR_CODES) as [string, ...string[]]), message: z.string() }).loose(),
});
const ingestResultSchema = z.object({
  inserted: z.number().int(),
  duplicates: z.number().int(),
  errors: z.array(z.object({ index: z.number().int(), event_id: z.string().nullable(), field: z.string(), reason: z.string() })),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: 'error', content: { 'application/json': { schema: ref('Error') } } }]));
const window = [
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'start (ISO-8601); default: start of today in the store time zone' },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'end (ISO-8601); default: now' },
];
const storeId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } };
const camId = { name: 'cam', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } };

const reportCsv = {
  get: {
    summary: 'The metrics as CSV (RFC 4180, header row, store local time): one row per hour (= /metrics/hourly) or per local day (= /metrics of that day)',
    parameters: [storeId, ...window, { name: 'interval', in: 'query', schema: { type: 'string', enum: ['hour', 'day'], default: 'hour' } }],
    responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors(400, 401, 403, 404) },
  },
};

function storeGet(summary: string, extra: object[] = window, schema?: string) {
  const ok = schema ? { description: 'OK', content: { 'application/json': { schema: ref(schema) } } } : { description: 'OK' };
  return { get: { summary, parameters: [storeId, ...extra], responses: { '200': ok, ...errors(400, 401, 403, 404) } } };
}

/**
 * The OpenAPI 3.1 document. Request and event schemas are generated from the zod schemas the hub validates
 * with, so the document cannot drift from the code; a test checks every route the hub serves is listed here.
 */
export function buildOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Store Intelligence hub', version, description: 'Retail CCTV events in, store analytics out.' },
    components: {
      schemas: {
        StoreEvent: json(storeEventSchema), IngestResult: json(ingestResultSchema), Error: json(errorSchema),
        StoreMetrics: json(storeMetricsSchema), HourlyMetrics: json(hourlyMetricsSchema), Heatmap: json(heatmapSchema),
        Funnel: json(funnelSchema),
      },
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'required when the hub has HUB_API_KEYS_FILE' } },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/events/ingest': {
        post: {
          summary: 'Ingest a batch of events (per-event validation, idempotent on event_id)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['events'], properties: { events: { type: 'array', maxItems: 5000, items: ref('StoreEvent') } } } } },
          },
          responses: { '200': { description: 'stored / duplicates / per-event errors', content: { 'application/json': { schema: ref('IngestResult') } } }, ...errors(400, 401, 403, 413, 415, 429, 503) },
        },
      },
      '/health': { get: { summary: 'Hub, database, store and camera health', security: [], responses: { '200': { description: 'healthy or degraded' }, '503': { description: 'database unavailable' } } } },
      '/stores': { get: { summary: 'Stores known to the hub', responses: { '200': { description: 'OK' }, ...errors(401) } } },
      '/stores/{id}/metrics': storeGet('Conversion rate, visitors, purchases, dwell, queue, abandonment, occupancy, buying units, queue waits, sales', window, 'StoreMetrics'),
      '/stores/{id}/metrics/hourly': storeGet('The metrics per hour', window, 'HourlyMetrics'),
      '/stores/{id}/funnel': storeGet('Entry → zone visit → billing queue → purchased (visitors), linked / unlinked per stage', window, 'Funnel'),
      '/stores/{id}/heatmap': storeGet('Per zone: distinct visitors, average dwell, normalised 0–100, conversion rate', window, 'Heatmap'),
      '/stores/{id}/report.csv': reportCsv,
      '/stores/{id}/anomalies': storeGet('Queue spikes, conversion drops, dead zones, stale feeds'),
      '/stores/{id}/stream': storeGet('Server-Sent Events: live metrics'),
      '/stores/{id}/cameras/{cam}/heatmap': storeGet('Occupancy grid of a camera', [camId, ...window]),
      '/stores/{id}/cameras/{cam}/background': storeGet('People-free background frame of a camera', [camId]),
      '/stores/{id}/cameras/{cam}/live': storeGet('Server-Sent Events: live tracked positions (ids and anchor points, no pixels) while open', [camId]),
      '/stores/{id}/layout': {
        get: { summary: 'The store layout', parameters: [storeId], responses: { '200': { description: 'OK' }, ...errors(401, 403, 404) } },
        put: { summary: 'Replace the store layout', parameters: [storeId], responses: { '200': { description: 'OK' }, ...errors(400, 401, 403, 415) } },
      },
      '/stores/{id}/pos': {
        post: {
          summary: 'POS transactions: JSON array or text/csv (transaction_id,store_id,timestamp,basket_value_inr)',
          parameters: [storeId],
          responses: { '200': { description: 'stored / duplicates / per-row errors' }, ...errors(400, 401, 403, 413, 415, 429, 503) },
        },
      },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OK' } } } },
      '/docs': { get: { summary: 'Human-readable API reference', security: [], responses: { '200': { description: 'HTML' } } } },
    },
  };
}
