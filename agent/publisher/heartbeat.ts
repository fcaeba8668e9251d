import type { CameraStatus } from '../../common/topics.js';
import type { Timers } from './timers.js';

/** What the pipeline reports about itself between heartbeats (all optional; missing = 0). */
export interface PipelineStats {
  fps?: number;
  frames?: number;
  dropped?: number;
  queue_depth?: number;
  /** RTSP: RTP packets lost before decoding (over UDP; concealed by the decoder, so frames still come). */
  lost_packets?: number;
  /** RTSP: reconnections, outages (stream lost after frames had flowed) and their total gap in ms. */
  reconnects?: number;
  outages?: number;
  gap_ms?: number;
  /** RTSP: whether frames are flowing; `offline` also makes the status `state` offline (publisher.setStreamState). */
  stream?: 'online' | 'offline';
  [extra: string]: unknown;
}

/** Pure: the retained status payload from the pipeline's figures and the publisher's spool. */
export function buildStatus(
  state: CameraStatus['state'],
  pipeline: PipelineStats,
  publisher: { spoolDepth: number; spoolDroppedEvents: number },
  now: number,
  agentVersion: string,
): CameraStatus {
  return {
    ...pipeline,
    state,
    ts: new Date(now).toISOString(),
    fps: pipeline.fps ?? 0,
    frames: pipeline.frames ?? 0,
    dropped: pipeline.dropped ?? 0,
    spool_depth: publisher.spoolDepth,
    spool_dropped_events: publisher.spoolDroppedEvents,
    agent_version: agentVersion,
  };
}

/** Calls `send` every `intervalMs` (and once at start) until stopped. */
export function startHeartbeat(opts: { intervalMs: number; timers: Timers; send(): void }) {
  opts.send();
  const handle = opts.timers.setInterval(opts.send, opts.intervalMs);
  return {
    stop(): void {
      opts.timers.clearInterval(handle);
    },
  };
}
