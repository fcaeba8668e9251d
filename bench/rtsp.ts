/**
 * npm run bench:rtsp -- [--seconds 90] [--model m.onnx] [--detect-every 2] [--transport auto] [--ceiling-frames 300]
 * One live camera end to end: GStreamer's RTSP server (test/agent/source/fixtures/rtsp-server.py) fed by ffmpeg
 * with the one-by-one clip in a loop at 10 fps → the agent as its own process (--camera, --mqtt) → a hub's
 * embedded broker. Prints the frame-to-published-event latency (event timestamp = when the frame reached the
 * agent; received = when the event reached the broker), the agent's CPU per camera (node + its ffmpeg decoder,
 * from /proc), frames dropped by the thinning live queue, and the load average. The ceiling, measured in the same
 * run: the same pipeline on the same clip read as fast as it can go (fps), so live fps / ceiling fps is the share
 * of this machine's current capacity that one camera takes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { StoreEvent } from '../common/event.js';
import { silentLogger } from '../common/logger.js';
import { startHub } from '../hub/app.js';
import { loadHubConfig } from '../hub/config.js';
import { createPipeline } from '../agent/pipeline.js';
import { resolveBinaries } from '../agent/source/binaries.js';
import { publishClip, rtspServerUnavailable, startRtspServer } from '../test/agent/source/rtsp-server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TICKS_PER_S = 100;

/** utime + stime of one process, seconds (stat(5) fields 14 and 15). */
function procCpuS(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** Pids whose parent is `pid` and whose command is `comm`. */
function childrenNamed(pid: number, comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const ppid = Number(s.split(') ')[1]!.split(' ')[1]);
      if (ppid === pid && name === comm) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds of this process plus its reaped children (stat(5) utime, stime, cutime, cstime). */
function selfAndChildrenCpuS(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_S;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '90' },
      model: { type: 'string' },
      'detect-every': { type: 'string', default: '2' },
      transport: { type: 'string', default: 'auto' },
      'ceiling-frames': { type: 'string', default: '300' },
    },
  });
  const why = rtspServerUnavailable();
  if (why) throw new Error(why);
  const assets = env.STORE_ASSETS_DIR;
  if (!assets) throw new Error('STORE_ASSETS_DIR must point at the models and clips');
  const clip = join(assets, 'media', 'one-by-one-person-detection.mp4');
  const model = a.model ?? join(assets, 'models', 'yolox_nano.onnx');
  for (const f of [clip, model]) if (!existsSync(f)) throw new Error(`${f} not found`);
  const seconds = Number(a.seconds);
  const detectEvery = Number(a['detect-every']);
  const bins = resolveBinaries(env);
  const dir = mkdtempSync(join(tmpdir(), 'bench-rtsp-'));
  const cleanup: (() => Promise<unknown> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const hub = await startHub(loadHubConfig({ HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', HUB_MQTT_PORT: '0' }), { logger: silentLogger() });
    cleanup.push(() => hub.close());
    const mqttUrl = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const latencies: number[] = [];
    const byType = new Map<string, number[]>();
    let measuring = false;
    const sub = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `bench-rtsp-${process.pid}` });
    cleanup.push(() => sub.endAsync(true));
    sub.on('message', (_t, payload) => {
      const now = Date.now();
      if (!measuring) return;
      for (const e of JSON.parse(payload.toString()) as StoreEvent[]) {
        const ms = now - Date.parse(e.timestamp);
        latencies.push(ms);
        byType.set(e.event_type, [...(byType.get(e.event_type) ?? []), ms]);
      }
    });
    await sub.subscribeAsync('store/+/camera/+/events', { qos: 1 });

    const server = await startRtspServer();
    cleanup.push(() => server.stop());
    const publisher = publishClip({ ffmpegPath: bins.ffmpegPath, clip, rtpPort: server.rtpPort, fps: 10, loop: true });
    cleanup.push(() => publisher.stop());

    const camera = join(dir, 'camera.json');
    const base = JSON.parse(readFileSync(join(ROOT, 'data/cameras/cam_entry_01.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(camera, JSON.stringify({ ...base, source: server.url, layout: join(ROOT, 'data/store_layout.json') }));
    const heartbeatFile = join(dir, 'heartbeat.json');
    const agent = spawn(
      process.execPath,
      ['--import', 'tsx', 'agent/main.ts', '--camera', camera, '--model', model, '--detect-every', String(detectEvery), '--rtsp-transport', a.transport!, '--mqtt', mqttUrl],
      { cwd: ROOT, env: { ...env, LOG_LEVEL: 'warn', AGENT_SPOOL_DIR: join(dir, 'spool'), AGENT_HEARTBEAT_FILE: heartbeatFile }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const exited = new Promise((r) => agent.once('exit', r));
    cleanup.push(async () => {
      agent.kill('SIGTERM');
      await exited;
    });
    const beat = () => (existsSync(heartbeatFile) ? (JSON.parse(readFileSync(heartbeatFile, 'utf8')) as Record<string, number>) : undefined);
    for (const end = Date.now() + 120_000; !(Number(beat()?.frames) > 0); await sleep(250)) if (Date.now() > end) throw new Error('the agent received no frame in 120 s');
    await sleep(5000); // past the connection burst
    const decoder = childrenNamed(agent.pid!, 'ffmpeg')[0];
    const b0 = beat()!;
    const t0 = Date.now();
    const cpu0 = procCpuS(agent.pid!) + (decoder ? procCpuS(decoder) : 0);
    measuring = true;
    console.error(`bench:rtsp: measuring ${seconds} s of live stream…`);
    await sleep(seconds * 1000);
    measuring = false;
    const wallS = (Date.now() - t0) / 1000;
    const cpu1 = procCpuS(agent.pid!) + (decoder ? procCpuS(decoder) : 0);
    const b1 = beat()!;
    const load = loadavg();
    const frames = b1.frames! - b0.frames!;
    const dropped = b1.dropped! - b0.dropped!;

    for (const fn of cleanup.splice(1).reverse()) await fn();

    // The ceiling, same run: the same pipeline on the clip file, back-fill (as fast as it goes), in CPU time, since
    // wall time on a shared machine says more about the neighbours: frames per CPU-second of node + ffmpeg.
    const c0 = selfAndChildrenCpuS();
    const p = createPipeline({ source: clip, modelPath: model, threads: 1, detectEvery, logger: silentLogger(), ...bins });
    let n = 0;
    for await (const _ of p.frames()) if (++n >= Number(a['ceiling-frames'])) break;
    await p.close();
    await sleep(300); // ffmpeg reaped, so its CPU is in cutime
    const ceilingFpsPerCore = n / (selfAndChildrenCpuS() - c0);
    const liveFps = frames / wallS;
    const liveCores = (cpu1 - cpu0) / wallS;

    console.log(
      JSON.stringify(
        {
          model,
          detectEvery,
          transport: a.transport,
          seconds: round(wallS, 1),
          liveFps: round(liveFps),
          frames,
          dropped,
          droppedShare: round(dropped / Math.max(1, frames + dropped), 4),
          events: latencies.length,
          latencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), max: pct(latencies, 100) },
          latencyMsByType: Object.fromEntries([...byType].map(([t, xs]) => [t, { n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95) }])),
          cpuCoresPerCamera: round(liveCores, 3),
          // At the camera's 10 fps (the measured fps is lower when the machine cannot give the agent the CPU).
          cpuCoresAt10Fps: round(((cpu1 - cpu0) / Math.max(1, frames)) * 10, 3),
          decoderMeasured: decoder !== undefined,
          ceilingFpsPerCore: round(ceilingFpsPerCore),
          liveCpuPerFrameToCeiling: round(liveCores / liveFps / (1 / ceilingFpsPerCore), 3),
          camerasPerCoreAt10Fps: round(1 / (((cpu1 - cpu0) / Math.max(1, frames)) * 10), 1),
          loadAverage: load.map((x) => round(x)),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const fn of cleanup.reverse()) await fn();
  }
}

main(process.argv.slice(2), process.env).catch((err: unknown) => {
  console.error(`bench:rtsp: ${(err as Error).message}`);
  process.exit(1);
});
