/**
 * Pure: did a file end well before the frame count its container declares? ffmpeg exits 0 on a truncated mp4
 * ("partial file" is only a warning), so without this a clip cut at a third ran to "done" with a third of the
 * day's events. Decoding at the probed rate gives exactly the declared count on the sample clips; the tolerance
 * (2 frames or 2 %) covers containers whose count is approximate.
 */
export function truncation(read: number, declared: number | undefined): { read: number; declared: number } | null {
  if (!declared) return null;
  const tolerance = Math.max(2, Math.ceil(declared * 0.02));
  return declared - read > tolerance ? { read, declared } : null;
}
