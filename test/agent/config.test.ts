import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig, parseAgentConfig, loadCameraFile } from '../../agent/config.js';
import { loadLayoutFile, findCamera } from '../../common/layout.js';
import { DEFAULT_DETECTOR_MODEL } from '../../agent/detector/models.js';

const assets = process.env.STORE_ASSETS_DIR;

function rejects(argv: string[], env: Record<string, string | undefined>, pattern: RegExp): void {
  expect(() => parseAgentConfig(argv, env)).to.throw(pattern);
}

describe('agent/config', () => {
  it('every camera file is valid and names a camera of its store layout', () => {
    for (const f of ['cam_entry_01', 'cam_aisle_01', 'cam_floor_01']) {
      const cam = loadCameraFile(join('data/cameras', `${f}.json`));
      const store = loadLayoutFile(cam.layout).stores.find((s) => s.store_id === cam.store_id);
      expect(store && findCamera(store, cam.camera_id), f).to.not.equal(undefined);
    }
  });

  it('resolves a camera file against STORE_ASSETS_DIR, flags overriding the file', function () {
    if (!assets || !existsSync(join(assets, 'models', DEFAULT_DETECTOR_MODEL))) {
      console.log(`      skipped: STORE_ASSETS_DIR with models/${DEFAULT_DETECTOR_MODEL} not found`);
      return this.skip();
    }
    const cfg = parseAgentConfig(['--camera', 'data/cameras/cam_entry_01.json', '--detect-every', '2', '--start-time', '2026-03-01T10:00:00+05:30'], { STORE_ASSETS_DIR: assets });
    expect(cfg).to.include({ storeId: 'STORE_BLR_002', cameraId: 'CAM_ENTRY_01', detectEvery: 2, conf: 0.1, threads: 1, motionGate: true, realtime: false });
    expect(cfg.source).to.equal(join(assets, 'media', 'one-by-one-person-detection.mp4'));
    expect(cfg.startTimeMs).to.equal(Date.parse('2026-03-01T04:30:00Z'));
    expect(cfg.tracker).to.deep.equal({ trackThresh: 0.5, matchThresh: 0.8, trackBuffer: 30 });
    expect(Object.isFrozen(cfg)).to.equal(true);
  });

  it('names every bad flag in one message', () => {
    rejects(['--source', 'x.mp4', '--conf', 'high', '--detect-every', '0', '--start-time', 'yesterday'], {}, /--conf must be a number; --detect-every must be an integer in 1\.\.30; --start-time must be an ISO 8601 time/);
    rejects(['--mqtt', 'http://x'], {}, /--mqtt must be an mqtt:\/\//);
  });

  it('names missing inputs', () => {
    rejects([], {}, /--source or --camera is required/);
    rejects(['--source', 'x.mp4'], {}, /--model is required when STORE_ASSETS_DIR is not set/);
    rejects(['--source', 'x.mp4', '--model', '/nope/m.onnx'], {}, /--model \/nope\/m\.onnx: file not found/);
    rejects(['--camera', '/nope/cam.json'], {}, /--camera \/nope\/cam\.json: cannot read camera file/);
    rejects(['--frobnicate'], {}, /Unknown option '--frobnicate'/);
  });

  it('RTSP transport: flag > camera file rtsp_transport > auto; bad values named', function () {
    if (!assets || !existsSync(join(assets, 'models', 'yolov8n_int8.onnx'))) {
      console.log('      skipped: STORE_ASSETS_DIR with models/yolov8n_int8.onnx not found');
      return this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'cam-'));
    const cam = join(dir, 'cam.json');
    writeFileSync(cam, JSON.stringify({ store_id: 'STORE_BLR_002', camera_id: 'CAM_ENTRY_01', source: 'rtsp://127.0.0.1:8554/cam', rtsp_transport: 'udp' }));
    try {
      const env = { STORE_ASSETS_DIR: assets };
      expect(parseAgentConfig(['--source', 'rtsp://127.0.0.1/cam'], env).rtspTransport).to.equal('auto');
      expect(parseAgentConfig(['--camera', cam], env).rtspTransport).to.equal('udp');
      expect(parseAgentConfig(['--camera', cam, '--rtsp-transport', 'tcp'], env).rtspTransport).to.equal('tcp');
      rejects(['--camera', cam, '--rtsp-transport', 'http'], env, /--rtsp-transport must be tcp, udp or auto/);
      writeFileSync(cam, JSON.stringify({ store_id: 'STORE_BLR_002', camera_id: 'CAM_ENTRY_01', source: 'rtsp://h/cam', rtsp_transport: 'quic' }));
      rejects(['--camera', cam], env, /rtsp_transport/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every bad input at once: flags, camera file, missing files and the environment', () => {
    expect(() => loadAgentConfig(['--camera', 'package.json', '--conf', 'high', '--model', '/nope/m.onnx'], { AGENT_SPOOL_MAX_MB: 'lots' }))
      .to.throw(/--conf must be a number; --camera package\.json: store_id: .*; --model \/nope\/m\.onnx: file not found; invalid environment: AGENT_SPOOL_MAX_MB/);
  });

  it('names the bad field of a camera file', () => {
    rejects(['--camera', 'package.json'], {}, /--camera package\.json: store_id: .*camera_id/);
  });
});
