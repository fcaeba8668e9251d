/**
 * A real RTSP camera for tests and bench:rtsp: GStreamer's RTSP server (fixtures/rtsp-server.py, Debian
 * packages installed by .ci/run) on loopback with free ports, fed by ffmpeg publishing a clip as RTP. Stopping
 * the publisher is a camera outage; starting it again is the camera coming back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('fixtures/rtsp-server.py', import.meta.url));
// Debian's python3 carries the GObject bindings; a python3 earlier on PATH (pyenv, venv) may not.
const PYTHON = '/usr/bin/python3';

let unavailable: string | undefined | null = null;

/** Why the RTSP server cannot run here (for a skip message), or undefined when it can. */
export function rtspServerUnavailable(): string | undefined {
  if (unavailable === null) {
    const r = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], { encoding: 'utf8' });
    unavailable = r.status === 0 ? undefined : `GStreamer's RTSP server is not installed (bash .ci/run installs gir1.2-gst-rtsp-server-1.0): ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
  }
  return unavailable;
}

/** A free TCP port on loopback (for a server that must come up later on a known port). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A free UDP port whose successor is free too (RTP on p, RTCP on p + 1). */
export async function freeRtpPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const a = createSocket('udp4');
    const p = await new Promise<number>((resolve, reject) => {
      a.once('error', reject);
      a.bind(0, '127.0.0.1', () => resolve(a.address().port));
    });
    const b = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      b.once('error', () => resolve(false));
      b.bind(p + 1, '127.0.0.1', () => resolve(true));
    });
    a.close();
    if (ok) {
      b.close();
      return p;
    }
  }
  throw new Error('no free UDP port pair');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RtspServer {
  /** rtsp://[user:password@]127.0.0.1:port/cam */
  url: string;
  port: number;
  /** Where the publisher sends RTP. */
  rtpPort: number;
  stop(): Promise<void>;
}

export interface RtspServerOptions {
  /** Transports the server accepts; 'udp' makes it refuse TCP interleaved with 461, as some cameras do. */
  protocols?: 'tcp' | 'udp' | 'both';
  codec?: 'h264' | 'h265';
  user?: string;
  password?: string;
  /** RTSP port; default a free one. */
  port?: number;
}

export async function startRtspServer(o: RtspServerOptions = {}): Promise<RtspServer> {
  const rtpPort = await freeRtpPort();
  const args = [SERVER, '--rtp-port', String(rtpPort), '--port', String(o.port ?? 0), '--protocols', o.protocols ?? 'both', '--codec', o.codec ?? 'h264'];
  if (o.user) args.push('--user', o.user, '--password', o.password ?? '');
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`rtsp server exited ${code}: ${stderr}`)));
  });
  const auth = o.user ? `${encodeURIComponent(o.user)}:${encodeURIComponent(o.password ?? '')}@` : '';
  return { url: `rtsp://${auth}127.0.0.1:${port}/cam`, port, rtpPort, stop: () => stopChild(child) };
}

export interface ClipPublisher {
  stop(): Promise<void>;
  /** ffmpeg's exit code once the clip ends (no loop) or it is stopped. */
  exited: Promise<number | null>;
}

export interface PublishOptions {
  ffmpegPath: string;
  clip: string;
  rtpPort: number;
  /** Frame rate of the clip (the lead-in and the pacing use it). */
  fps: number;
  /** Seconds of the clip's first frame, held still, before it plays: time for the agent to connect. */
  leadInS?: number;
  /** Play the clip over and over until stopped. */
  loop?: boolean;
  codec?: 'h264' | 'h265';
  /** Stop after this many seconds of video (lead-in included). */
  durationS?: number;
}

/**
 * ffmpeg as the camera: re-encodes the clip with a key frame every second (a new viewer can start within one),
 * at a quality close to the clip's (crf 18: the default 23 blurs enough to change what the model sees),
 * and sends RTP paced at the clip's rate by the `realtime` filter (so a held lead-in is paced too).
 */
export function publishClip(o: PublishOptions): ClipPublisher {
  const hold = Math.round((o.leadInS ?? 0) * o.fps);
  const vf = [...(hold > 0 ? [`loop=loop=${hold}:size=1:start=0`] : []), `setpts=N/(${o.fps}*TB)`, 'realtime'].join(',');
  const gop = String(Math.max(1, Math.round(o.fps)));
  const enc =
    o.codec === 'h265'
      ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `keyint=${gop}:bframes=0:log-level=error`]
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-crf', '18', '-g', gop, '-bf', '0'];
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', ...(o.loop ? ['-stream_loop', '-1'] : []), '-i', o.clip, '-an', ...(o.durationS ? ['-t', String(o.durationS)] : []), '-vf', vf, '-pix_fmt', 'yuv420p', ...enc, '-f', 'rtp', `rtp://127.0.0.1:${o.rtpPort}`];
  const child = spawn(o.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stop: () => stopChild(child), exited };
}
