/** ffprobe adapter: size, frame rate and frame count of a file or stream, with errors that name the input. */
import ffmpeg from 'fluent-ffmpeg';
import { AppError } from '../../common/errors.js';

export interface SourceInfo {
  width: number;
  height: number;
  /** Frames per second the decoder will deliver. */
  fps: number;
  /** Frame count when the container knows it (files), else undefined. */
  frames: number | undefined;
  codec: string;
}

/** "30000/1001" → 29.97; "0/0" → undefined. */
export function parseRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [n, d] = rate.split('/').map(Number);
  const v = d === undefined ? n : d === 0 ? NaN : n! / d;
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * Pure: picks the video stream out of ffprobe's JSON. `live`: over RTP, r_frame_rate is a guess from a few
 * packets (20/1 or 121/12 for a 10 fps camera) while avg_frame_rate is measured, so the latter comes first.
 */
export function infoFromProbe(input: string, data: ffmpeg.FfprobeData, live = false): SourceInfo {
  const v = data.streams.find((s) => s.codec_type === 'video');
  if (!v || !v.width || !v.height) throw new AppError('INPUT_UNREADABLE', `${input}: cannot open video (no video stream: unreachable, or not a video)`);
  // r_frame_rate is the stream's base rate; GIFs report a misleading avg_frame_rate (16.7 for a 15 fps clip).
  const fps = live ? parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate) : parseRate(v.r_frame_rate) ?? parseRate(v.avg_frame_rate);
  if (!fps || fps > 240) throw new AppError('INPUT_UNREADABLE', `${input}: cannot tell the frame rate (r_frame_rate=${v.r_frame_rate}); pass --fps`);
  const n = Number(v.nb_frames);
  return { width: v.width, height: v.height, fps, frames: Number.isFinite(n) && n > 0 ? n : undefined, codec: v.codec_name ?? 'unknown' };
}

export function probe(input: string, ffprobePath: string, extraInputOptions: string[] = [], live = false): Promise<SourceInfo> {
  return new Promise((resolve, reject) => {
    const cmd = ffmpeg(input).setFfprobePath(ffprobePath);
    cmd.ffprobe(0, extraInputOptions, (err: Error | null, data: ffmpeg.FfprobeData) => {
      if (err) {
        const why = lastLines(err.message);
        reject(new AppError('INPUT_UNREADABLE', `${input}: cannot open video (${why})`, undefined, { cause: err }));
        return;
      }
      try {
        resolve(infoFromProbe(input, data, live));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** The useful tail of ffmpeg/ffprobe stderr. */
export function lastLines(text: string, n = 2): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('ffprobe version') && !l.startsWith('ffmpeg version'))
    .slice(-n)
    .join(' | ');
}
