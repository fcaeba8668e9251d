/**
 * A one-line progress display (frames, fps, ETA) for people running the agent in a terminal. It writes only to
 * a TTY stream (stderr), rewriting the same line at most a few times per second; logs stay JSON on stdout.
 */
export interface ProgressState {
  frames: number;
  /** Total frames when known (files). */
  total: number | undefined;
  elapsedS: number;
}

/** Pure: "frames 120/1394 (9%)  9.8 fps  ETA 2m10s". */
export function formatProgress(s: ProgressState): string {
  const fps = s.elapsedS > 0 ? s.frames / s.elapsedS : 0;
  const count = s.total ? `${s.frames}/${s.total} (${Math.floor((100 * s.frames) / s.total)}%)` : `${s.frames}`;
  const eta = s.total && fps > 0 ? `  ETA ${formatDuration(Math.max(0, s.total - s.frames) / fps)}` : '';
  return `frames ${count}  ${fps.toFixed(1)} fps${eta}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface Progress {
  update(frames: number): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream, total: number | undefined, now: () => number = Date.now, intervalMs = 250): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const t0 = now();
  let last = 0;
  let frames = 0;
  const draw = () => stream.write(`\r${formatProgress({ frames, total, elapsedS: (now() - t0) / 1000 })}\x1b[K`);
  return {
    update(n) {
      frames = n;
      if (now() - last < intervalMs) return;
      last = now();
      draw();
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}
