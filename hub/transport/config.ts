import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { describeIssues } from '../../common/layout.js';
import { mqttUrlSchema } from '../../common/mqtt-url.js';

/** The MQTT variables of the hub; parsed with the hub's own (hub/config.ts), so one message names every bad one. */
export const mqttEnvSchema = z.object({
  /** Port of the embedded broker; 0 = any free port (reported as mqtt_port in the hub_listening log line). */
  HUB_MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  /** Interface the embedded broker binds. */
  HUB_MQTT_HOST: z.string().min(1).default('0.0.0.0'),
  /** External broker (mqtt://host:port); when set the hub is a client of it and runs no broker. */
  MQTT_URL: mqttUrlSchema().optional(),
  /** Users file for the embedded broker ({username: {password_hash, store_id, camera_ids}}); unset = anonymous. */
  MQTT_USERS_FILE: z.string().min(1).optional(),
  /** Shared-subscription group the hub replicas join on an external broker. */
  MQTT_SHARED_GROUP: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match [A-Za-z0-9_-]{1,64}').default('hub'),
  /** Fixed client id of this replica on the external broker (its persistent session); unique per replica. */
  MQTT_CLIENT_ID: z.string().min(1).max(128).optional(),
  /** Credentials of the hub on the external broker. */
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  /** Largest events payload accepted (bytes); bigger ones are logged, counted and dropped. */
  MQTT_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1).default(4 * 1024 * 1024),
});

export interface MqttTransportConfig {
  /** Embedded broker listen address; null when an external broker is used. */
  embedded: { port: number; host: string; tls: { cert: Buffer; key: Buffer } | null } | null;
  /** External broker; null when the embedded broker is used. */
  external: { url: string; clientId: string; sharedGroup: string; username?: string; password?: string } | null;
  usersFile: string | null;
  maxPayloadBytes: number;
}

/** MQTTS on the embedded broker uses the hub's HTTPS files (HUB_TLS_CERT / HUB_TLS_KEY, checked by hub/config.ts). */
function tlsFiles(env: Readonly<Record<string, string | undefined>>): { cert: Buffer; key: Buffer } | null {
  if (!env.HUB_TLS_CERT || !env.HUB_TLS_KEY) return null;
  try {
    return { cert: readFileSync(env.HUB_TLS_CERT), key: readFileSync(env.HUB_TLS_KEY) };
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `HUB_TLS_CERT/HUB_TLS_KEY: cannot read (${(err as Error).message})`);
  }
}

/** Parses the MQTT part of the environment; one error names every bad variable. `tls`: the files already read. */
export function loadMqttTransportConfig(env: Readonly<Record<string, string | undefined>>, tls = tlsFiles(env)): MqttTransportConfig {
  const r = mqttEnvSchema.safeParse(env);
  if (!r.success) throw new AppError('CONFIG_INVALID', `invalid environment: ${describeIssues(r.error)}`);
  const e = r.data;
  if (e.MQTT_URL && e.MQTT_USERS_FILE) {
    throw new AppError('CONFIG_INVALID', 'invalid environment: MQTT_USERS_FILE applies to the embedded broker only; with MQTT_URL configure users on the external broker');
  }
  return Object.freeze({
    embedded: e.MQTT_URL ? null : { port: e.HUB_MQTT_PORT, host: e.HUB_MQTT_HOST, tls },
    external: e.MQTT_URL
      ? {
          url: e.MQTT_URL,
          clientId: e.MQTT_CLIENT_ID ?? `hub-${hostname()}`.slice(0, 128),
          sharedGroup: e.MQTT_SHARED_GROUP,
          username: e.MQTT_USERNAME,
          password: e.MQTT_PASSWORD,
        }
      : null,
    usersFile: e.MQTT_USERS_FILE ?? null,
    maxPayloadBytes: e.MQTT_MAX_PAYLOAD_BYTES,
  });
}
