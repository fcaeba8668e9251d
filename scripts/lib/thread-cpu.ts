import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) per thread id of one process, at one moment. */
export type ThreadTimes = Map<string, number>;

export interface ThreadCpu {
  /** CPU seconds of the process's main thread. */
  main: number;
  /** CPU seconds of its busiest other thread (a hub on SQLite: the writer thread). */
  busiest: number;
  /** CPU seconds of all its other threads together (V8's GC and compiler helpers, libuv's pool, loaders). */
  rest: number;
}

/** Clock ticks per second of /proc's times: USER_HZ, 100 on Linux's common architectures (x86, ARM). */
const TICKS = 100;

/**
 * CPU time per thread of a running process, from /proc (Linux); null elsewhere or once it has exited. CPU time,
 * unlike wall time, hardly moves when other work shares the machine, so benchmarks print it beside their rates.
 */
export function threadTimes(pid: number): ThreadTimes | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const out: ThreadTimes = new Map();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name: utime and stime are the 12th and 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) / TICKS);
    } catch {
      // The thread ended between the listing and the read: its time is gone with it.
    }
  }
  return out;
}

/** The CPU each thread of process `pid` spent between two readings (threads started in between count whole). */
export function cpuBetween(pid: number, before: ThreadTimes | null, after: ThreadTimes | null): ThreadCpu | null {
  if (!before || !after) return null;
  const spent = [...after].map(([tid, s]) => [tid, s - (before.get(tid) ?? 0)] as const);
  const others = spent.filter(([tid]) => tid !== String(pid)).map(([, s]) => s).sort((a, b) => b - a);
  return { main: spent.find(([tid]) => tid === String(pid))?.[1] ?? 0, busiest: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0) };
}
