/**
 * ffmpeg input options for an RTSP camera. The socket timeout option changed name across ffmpeg versions
 * (`-stimeout` in ffmpeg ≤ 4, `-timeout` from 5 on, where the old `-timeout` meant a listen timeout), and the
 * npm ffmpeg (2018) and ffprobe (2023) builds sit on either side of that change, as may FFMPEG_PATH: the name is
 * read from each binary's own help once.
 */
import { spawnSync } from 'node:child_process';

/** How RTP reaches us: TCP interleaved in the RTSP connection, UDP, or TCP first and UDP when the server refuses TCP. */
export type RtspTransport = 'tcp' | 'udp' | 'auto';
export const RTSP_TRANSPORTS = ['tcp', 'udp', 'auto'] as const;

const flags = new Map<string, string>();

/** The binary's socket I/O timeout option (microseconds). */
export function socketTimeoutFlag(binary: string): string {
  let flag = flags.get(binary);
  if (!flag) {
    const help = spawnSync(binary, ['-hide_banner', '-h', 'demuxer=rtsp'], { encoding: 'utf8', timeout: 10_000 });
    flag = /^\s*-stimeout\b/m.test(`${help.stdout ?? ''}${help.stderr ?? ''}`) ? '-stimeout' : '-timeout';
    flags.set(binary, flag);
  }
  return flag;
}

/**
 * UDP receive buffer asked of the kernel. A camera sends a key frame as one burst of packets, faster than any reader
 * drains it; the bundled ffmpeg (4.1) asks for 64 KiB, which Linux doubles to 128 KiB, and lost ~10 packets of every
 * key frame of the 768×432 test stream even with the agent idle. The kernel silently caps the request at
 * net.core.rmem_max (212992 on a stock kernel, so 416 KiB granted, which kept that stream lossless; 4 MiB here
 * gives 8 MiB), so what is asked for is a ceiling, never a requirement.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Input options for one binary and one transport. */
export function rtspInputOptions(binary: string, transport: 'tcp' | 'udp', socketTimeoutMs: number): string[] {
  return ['-rtsp_transport', transport, ...(transport === 'udp' ? ['-buffer_size', String(UDP_RECEIVE_BUFFER_BYTES)] : []), socketTimeoutFlag(binary), String(socketTimeoutMs * 1000)];
}

/**
 * True when ffmpeg's error says the server refused the transport we asked for (RTSP 461 Unsupported Transport,
 * which ffmpeg reports as "Protocol not supported"), as opposed to the camera being unreachable.
 */
export function transportRefused(message: string): boolean {
  return /\b461\b|unsupported transport|protocol not supported/i.test(message);
}
