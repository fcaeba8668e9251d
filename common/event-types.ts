/** The eight retail event types an agent emits (docs/DESIGN.md, "Event contract"). */
export const EVENT_TYPES = [
  'ENTRY',
  'EXIT',
  'REENTRY',
  'ZONE_ENTER',
  'ZONE_EXIT',
  'ZONE_DWELL',
  'BILLING_QUEUE_JOIN',
  'BILLING_QUEUE_ABANDON',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Types whose `zone_id` must be non-null: they happen in a zone. */
export const ZONED_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  'ZONE_ENTER',
  'ZONE_EXIT',
  'ZONE_DWELL',
  'BILLING_QUEUE_JOIN',
  'BILLING_QUEUE_ABANDON',
]);
