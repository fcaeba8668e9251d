/**
 * The data that flows between the agent's stages (source → detector → tracker → behaviour → publisher).
 * Plain data only: every stage is testable without ffmpeg, onnxruntime or MQTT.
 */

/** An axis-aligned box in source-frame pixels (x right, y down). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** How a source frame was letterboxed into the model input: model = source * scale + pad. */
export interface Letterbox {
  scale: number;
  padX: number;
  padY: number;
  /** Model input size in pixels. */
  inputWidth: number;
  inputHeight: number;
}

/** One decoded frame as ffmpeg hands it over: RGB24 at the model's input size, already letterboxed. */
export interface Frame {
  /** 0-based frame number in the source. */
  index: number;
  /** Wall-clock time of the frame, ms since the Unix epoch (start time + pts for files). */
  timestampMs: number;
  /** Size of the original source frame, in pixels (boxes are in this space). */
  sourceWidth: number;
  sourceHeight: number;
  /** Packed RGB24 pixels of the letterboxed model input (inputWidth * inputHeight * 3 bytes). */
  rgb: Uint8Array;
  letterbox: Letterbox;
  /**
   * Live streams: 0 until the first outage, then one more after each. Frames of a new segment follow a gap in
   * which people may have come and gone unseen, so tracks and visits are not carried across it.
   */
  segment?: number;
}

/** A person detection in source-frame pixels. */
export interface Detection {
  box: Box;
  score: number;
  classId: number;
}

/** A tracked person in one frame. */
export interface Track {
  /** Stable id for as long as the tracker keeps the person (never reused within a run). */
  trackId: number;
  box: Box;
  /** Score of the detection matched this frame; for a predicted (unmatched) box, the last matched score. */
  score: number;
  /** 'tracked' when matched to a detection this frame; 'lost' while coasting on the Kalman prediction. */
  state: 'tracked' | 'lost';
  /** Frames since the track was created. */
  age: number;
}

/** What the tracker reports per frame: the live tracks and the ids it dropped for good this frame. */
export interface TrackedFrame {
  frame: Frame;
  /** Tracks confirmed and alive (tracked or lost within the buffer). */
  tracks: Track[];
  /** Track ids removed this frame (lost for longer than the buffer): their people have left. */
  removed: number[];
  /** True when the detector ran on this frame (false for skipped / motion-gated frames). */
  inferred: boolean;
}

/** The bottom centre of a box, normalised to 0..1 of the source frame: where a person stands. */
export function anchorOf(box: Box, sourceWidth: number, sourceHeight: number): [number, number] {
  return [(box.x1 + box.x2) / 2 / sourceWidth, box.y2 / sourceHeight];
}
