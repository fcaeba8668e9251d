/** Where ffmpeg/ffprobe live: FFMPEG_PATH / FFPROBE_PATH when set, else the binaries installed from npm. */
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

export interface Binaries {
  ffmpegPath: string;
  ffprobePath: string;
}

export function resolveBinaries(env: Record<string, string | undefined>): Binaries {
  return { ffmpegPath: env.FFMPEG_PATH || ffmpegInstaller.path, ffprobePath: env.FFPROBE_PATH || ffprobeInstaller.path };
}
