/** Port choice for the demo: the user's default when it is free, else 0 (the OS picks, the hub reports it). */
import { createServer } from 'node:net';

export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * Explicit port → as given; CI → 0 (parallel jobs, and Mosquitto often holds 1883); otherwise the default if free.
 * Checking then binding is racy, but the hub fails loudly on EADDRINUSE, which is the right outcome for a lost race.
 */
export async function choosePort(requested: number | null, fallback: number, ci: boolean, free = isPortFree): Promise<number> {
  if (requested !== null) return requested;
  if (ci) return 0;
  return (await free(fallback)) ? fallback : 0;
}
