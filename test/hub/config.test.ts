import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../../hub/analytics/anomalies/types.js';
import { hubEnvSchema, loadHubConfig } from '../../hub/config.js';
import { mqttEnvSchema } from '../../hub/transport/config.js';
import { DEFAULT_RULES } from '../../hub/identity/resolve.js';

describe('hub/config', () => {
  it('names every bad variable of the hub and of its MQTT transport in one message', () => {
    expect(() => loadHubConfig({ HUB_HTTP_PORT: 'eighty', MQTT_URL: 'http://broker', MQTT_MAX_PAYLOAD_BYTES: '0', DEAD_ZONE_MINUTES: '-1' }))
      .to.throw(/HUB_HTTP_PORT.*DEAD_ZONE_MINUTES.*MQTT_URL: must be an mqtt:\/\/.*MQTT_MAX_PAYLOAD_BYTES/s);
  });

  it('reads the TLS files once, at start, for HTTPS and the embedded broker alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-config-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), 'CERT');
      writeFileSync(join(dir, 'key.pem'), 'KEY');
      const c = loadHubConfig({ HUB_TLS_CERT: join(dir, 'cert.pem'), HUB_TLS_KEY: join(dir, 'key.pem') });
      expect(c.security.tls?.cert.toString()).to.equal('CERT');
      expect(c.mqtt.embedded?.tls?.key).to.equal(c.security.tls?.key);
      expect(() => loadHubConfig({ HUB_TLS_CERT: join(dir, 'nope.pem'), HUB_TLS_KEY: join(dir, 'key.pem') })).to.throw(/HUB_TLS_CERT\/HUB_TLS_KEY: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the anomaly defaults from the one table the detectors use', () => {
    const a = loadHubConfig({}).analytics;
    expect(a).to.include({ queueSpikeDepth: DEFAULT_THRESHOLDS.queueSpikeDepth, deadZoneMinutes: DEFAULT_THRESHOLDS.deadZoneMinutes, conversionDropRatio: DEFAULT_THRESHOLDS.conversionDropRatio });
    expect(Object.isFrozen(loadHubConfig({}))).to.equal(true);
  });

  it('identity: the exit wait (minutes), the second-sample weight and the view correlation reach the resolver rules, out-of-range ones are refused', () => {
    expect(loadHubConfig({}).identity.rules).to.include({ exitWaitMs: DEFAULT_RULES.exitWaitMs, secondSampleWeight: DEFAULT_RULES.secondSampleWeight });
    expect(loadHubConfig({ IDENTITY_EXIT_WAIT_MIN: '0', IDENTITY_SECOND_SAMPLE_WEIGHT: '0.5' }).identity.rules).to.include({ exitWaitMs: 0, secondSampleWeight: 0.5 });
    expect(() => loadHubConfig({ IDENTITY_SECOND_SAMPLE_WEIGHT: '1.5' })).to.throw(/IDENTITY_SECOND_SAMPLE_WEIGHT/);
    expect(loadHubConfig({ IDENTITY_VIEW_CORRELATION: '0' }).identity.rules.viewCorrelation).to.equal(0);
    expect(() => loadHubConfig({ IDENTITY_VIEW_CORRELATION: '1' })).to.throw(/IDENTITY_VIEW_CORRELATION/);
    expect(loadHubConfig({ IDENTITY_MEASURE_CORRELATION_AFTER: '0' }).identity.rules.estimateCorrelationAfter).to.equal(0);
    expect(() => loadHubConfig({ IDENTITY_MEASURE_CORRELATION_AFTER: '2.5' })).to.throw(/IDENTITY_MEASURE_CORRELATION_AFTER/);
    expect(() => loadHubConfig({ IDENTITY_EXIT_WAIT_MIN: '-1' })).to.throw(/IDENTITY_EXIT_WAIT_MIN/);
  });

  it('.env.example lists every hub and MQTT variable, with the default the hub applies', () => {
    const text = readFileSync(join(import.meta.dirname, '../../.env.example'), 'utf8');
    const listed = new Map([...text.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    const shape: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }> = { ...hubEnvSchema.shape, ...mqttEnvSchema.shape };
    const wrong: string[] = [];
    for (const [key, schema] of Object.entries(shape)) {
      const parsed = schema.safeParse(undefined);
      const fallback = parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
      if (!listed.has(key)) wrong.push(`${key} missing`);
      else if (listed.get(key) !== '' && fallback !== '' && listed.get(key) !== fallback) wrong.push(`${key}=${listed.get(key)}, default ${fallback}`);
    }
    expect(wrong).to.deep.equal([]);
  });
});
