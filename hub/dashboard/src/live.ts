/** The live connection: an EventSource that reopens itself, reporting "live" / "reconnecting" to the page. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  onState(state: LiveState): void;
  /** A `metrics` frame: the body of GET /stores/:id/metrics. */
  onMetrics(data: unknown): void;
  onHeatmap(cameraId: string): void;
  /** The stream (re)opened: data may have changed while it was down. */
  onOpen(): void;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * EventSource retries by itself after a network error (WHATWG HTML §9.2.3, using the server's `retry:`), but
 * gives up for good on an HTTP error answer (e.g. 503 while the hub restarts): then this reopens it with a
 * capped exponential backoff.
 */
export function connectLive(url: string, h: LiveHandlers): { close(): void } {
  let es: EventSource | null = null;
  let backoff = 1000;
  let timer: number | undefined;
  let stopped = false;

  function open(): void {
    es = new EventSource(url);
    es.addEventListener('open', () => {
      backoff = 1000;
      h.onState('live');
      h.onOpen();
    });
    es.addEventListener('metrics', (e) => h.onMetrics(JSON.parse((e as MessageEvent).data)));
    es.addEventListener('heatmap', (e) => h.onHeatmap((JSON.parse((e as MessageEvent).data) as { camera_id: string }).camera_id));
    es.addEventListener('error', () => {
      if (stopped) return;
      h.onState('reconnecting');
      if (es && es.readyState === EventSource.CLOSED) {
        es = null;
        timer = window.setTimeout(open, backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    });
  }
  h.onState('connecting');
  open();
  return {
    close() {
      stopped = true;
      window.clearTimeout(timer);
      es?.close();
    },
  };
}
