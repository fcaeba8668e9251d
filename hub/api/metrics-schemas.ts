import { z } from 'zod';

/**
 * Response shapes of the metrics endpoints, for the OpenAPI document. Strict objects: the KPI tests parse real
 * answers with them, so a field added to the code without being described here fails a test.
 */
const windowSchema = z.strictObject({ from: z.iso.datetime(), to: z.iso.datetime() });
const rate = z.number().min(0).max(1);
const count = z.number().int().min(0);
const waitSchema = z
  .strictObject({ avg: count.nullable(), p50: count.nullable(), p90: count.nullable(), n: count })
  .describe('ms; nearest-rank percentiles; null when n = 0');

export const storeMetricsSchema = z.strictObject({
  unique_visitors: count,
  conversion_rate: rate,
  purchased: count,
  unattributed_transactions: count,
  avg_dwell_ms: count,
  avg_zone_dwell_ms: count,
  queue_depth_current: count,
  abandonment_rate: rate,
  staff_excluded_events: count,
  occupancy: count.describe('customers inside at min(to, now), counted from the store\'s local midnight'),
  occupancy_peak: count.describe('most customers inside at once in the window'),
  buying_units: count.describe('visitors grouped by metadata.group_id'),
  buying_unit_conversion_rate: rate,
  queue_wait_ms: waitSchema.describe('BILLING_QUEUE_JOIN → reaching the till (ms)'),
  queue_abandon_wait_ms: waitSchema.describe('BILLING_QUEUE_JOIN → BILLING_QUEUE_ABANDON (ms)'),
  sales_total: z.number().min(0).describe('INR, every POS transaction in the window'),
  transactions: count,
  atv: z.number().min(0).describe('sales_total / transactions'),
  sales_per_visitor: z.number().min(0).describe('sales_total / unique_visitors'),
  identity: z
    .strictObject({ linked_visitors: count, purchased_linked: count, purchased_unlinked: count })
    .describe('cross-camera identity behind the figures: visitors with a linked zone-camera id; purchases seen only through a link; purchases of zone-camera customers counted without a link'),
  uncounted_transactions: z
    .strictObject({ entered_before_window: count, beyond_visitors: count })
    .describe('matched transactions that are not purchases of the window, by reason; with purchased and unattributed_transactions they account for every transaction'),
  window: windowSchema,
});

export const hourlyMetricsSchema = z.strictObject({ hours: z.array(storeMetricsSchema), window: windowSchema });

const stageIdentity = z.strictObject({ linked: count, unlinked: count });

export const funnelSchema = z.strictObject({
  entry: count,
  zone_visit: count,
  billing_queue: count,
  purchased: count,
  identity: z
    .strictObject({ zone_visit: stageIdentity, billing_queue: stageIdentity, purchased: stageIdentity })
    .describe("per stage: visitors who reached it only through a cross-camera link, and zone-camera customers counted in without one"),
  window: windowSchema,
});

export const heatmapSchema = z.strictObject({
  zones: z.array(
    z.strictObject({
      zone_id: z.string(),
      name: z.string(),
      type: z.string(),
      frequency: count,
      avg_dwell_ms: count,
      normalized: z.number().int().min(0).max(100),
      conversion_rate: rate.describe("the zone's visitors who purchased / the zone's visitors"),
    }),
  ),
  window: windowSchema,
});
