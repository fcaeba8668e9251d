import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../common/errors.js';
import { describeIssues } from '../common/layout.js';

/** The agent's environment beyond its CLI flags (agent/config.ts): spool, heartbeat file, re-id model, MQTT login. */
export const agentEnvSchema = z.object({
  /** Directory of the write-ahead event spool; one sub-directory per camera. */
  AGENT_SPOOL_DIR: z.string().min(1).default('data/spool'),
  /** Spool bound in MB; the oldest batches are dropped (loudly) past it. */
  AGENT_SPOOL_MAX_MB: z.coerce.number().positive().default(256),
  /** A JSON file rewritten every few seconds with the agent's figures (Docker's HEALTHCHECK reads its age). */
  AGENT_HEARTBEAT_FILE: z.string().min(1).optional(),
  /** OSNet-format re-id model; default $STORE_ASSETS_DIR/models/osnet_x0_25_msmt17.onnx; `none` = colour histograms. */
  AGENT_REID_MODEL: z.string().min(1).optional(),
  /** Longest wait (s) for the broker to acknowledge everything when a clip ends; what is left stays spooled. */
  AGENT_DRAIN_TIMEOUT_S: z.coerce.number().min(0).default(60),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  STORE_ASSETS_DIR: z.string().optional(),
});

export interface AgentRuntime {
  spoolDir: string;
  spoolMaxMb: number;
  heartbeatFile: string | undefined;
  reidModel: string | undefined;
  drainTimeoutMs: number;
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
}

export function loadAgentRuntime(env: Record<string, string | undefined>): AgentRuntime {
  const r = agentEnvSchema.safeParse(env);
  if (!r.success) throw new AppError('CONFIG_INVALID', `invalid environment: ${describeIssues(r.error)}`);
  const e = r.data;
  const bundled = e.STORE_ASSETS_DIR ? join(e.STORE_ASSETS_DIR, 'models', 'osnet_x0_25_msmt17.onnx') : join('assets', 'models', 'osnet_x0_25_msmt17.onnx');
  let reidModel: string | undefined = e.AGENT_REID_MODEL ?? (existsSync(bundled) ? bundled : undefined);
  if (reidModel === 'none') reidModel = undefined;
  if (reidModel && !existsSync(reidModel)) throw new AppError('CONFIG_INVALID', `AGENT_REID_MODEL ${reidModel}: file not found`);
  return {
    spoolDir: e.AGENT_SPOOL_DIR,
    spoolMaxMb: e.AGENT_SPOOL_MAX_MB,
    heartbeatFile: e.AGENT_HEARTBEAT_FILE,
    reidModel,
    drainTimeoutMs: e.AGENT_DRAIN_TIMEOUT_S * 1000,
    mqttUsername: e.MQTT_USERNAME,
    mqttPassword: e.MQTT_PASSWORD,
  };
}
