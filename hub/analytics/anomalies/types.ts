export const ANOMALY_TYPES = ['QUEUE_SPIKE', 'CONVERSION_DROP', 'DEAD_ZONE', 'STALE_FEED'] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];
export type Severity = 'info' | 'warning' | 'critical';

/** One item of GET /stores/:id/anomalies. */
export interface Anomaly {
  type: AnomalyType;
  severity: Severity;
  zone_id?: string;
  camera_id?: string;
  /** ISO-8601 instant the rule first held. */
  detected_at: string;
  details: Record<string, unknown>;
}

/** Anomaly thresholds (hub config: QUEUE_SPIKE_DEPTH, CONVERSION_DROP_*, DEAD_ZONE_*, STALE_FEED_MINUTES). */
export interface AnomalyThresholds {
  /** A queue at least this deep is a spike. */
  queueSpikeDepth: number;
  /** …or at least this many times its trailing-hour mean. */
  queueSpikeFactor: number;
  /** Last hour's conversion below this share of the trailing 7-day mean for that hour is a drop. */
  conversionDropRatio: number;
  /** Visitors the last hour needs before its conversion is judged. */
  conversionMinVisitors: number;
  /** A zone with no visit this long… */
  deadZoneMinutes: number;
  /** …while at least this many visitors entered the store, is dead. */
  deadZoneMinVisitors: number;
  /** A camera silent this long is a stale feed; 0 turns the check off. */
  staleFeedMinutes: number;
}

export const DEFAULT_THRESHOLDS: AnomalyThresholds = Object.freeze({
  queueSpikeDepth: 6,
  queueSpikeFactor: 2,
  conversionDropRatio: 0.5,
  conversionMinVisitors: 10,
  deadZoneMinutes: 30,
  deadZoneMinVisitors: 10,
  staleFeedMinutes: 10,
});

export const MINUTE_MS = 60_000;
