/**
 * The detector the agent uses when none is named, and the others it knows by name. YOLOX-nano is the default: the
 * cheapest model that keeps the accuracy tests on the sample footage (docs/CHOICES.md "Detector choice"), and
 * Apache-2.0, so it can ship with a deployment (Ultralytics weights are AGPL-3.0).
 */
export const DEFAULT_DETECTOR_MODEL = 'yolox_nano.onnx';

/** Detector files looked up by name when no model is given, in order of preference. */
export const KNOWN_DETECTOR_MODELS: readonly string[] = Object.freeze([DEFAULT_DETECTOR_MODEL, 'yolov8n_int8.onnx', 'yolov8n.onnx', 'yolox_tiny.onnx', 'yolox_s.onnx']);
