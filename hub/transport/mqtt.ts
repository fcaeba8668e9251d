import type { Logger } from '../../common/logger.js';
import { startEmbeddedBroker } from './broker.js';
import type { MqttTransportConfig } from './config.js';
import { startExternalConsumer } from './external.js';
import { createMessageHandler, type CameraStatusSink, type HeatmapSink, type IngestLike, type LiveSink, type TransportStats } from './message-handler.js';
import { loadUsersFile } from './users.js';

export interface MqttTransport {
  /** Port of the embedded broker; null when consuming from an external broker. */
  mqttPort: number | null;
  stats(): TransportStats & { mode: 'embedded' | 'external'; refused_publishes: number };
  /** The hub's retained publish (a camera's layout on its config topic), on whichever broker is in use. */
  publishRetained(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the hub's MQTT side: the embedded aedes broker on HUB_MQTT_PORT, or, with MQTT_URL, a consumer of
 * the external broker. Either way every message goes through the same handler and the same ingest service
 * as POST /events/ingest.
 */
export async function startMqttTransport(opts: {
  config: MqttTransportConfig;
  ingest: IngestLike;
  statusSink?: CameraStatusSink;
  heatmapSink?: HeatmapSink;
  liveSink?: LiveSink;
  logger: Logger;
}): Promise<MqttTransport> {
  const { config, logger } = opts;
  const handler = createMessageHandler({ ...opts, maxPayloadBytes: config.maxPayloadBytes });
  // The totals at shutdown: what this replica consumed (the scale-out test reads them).
  const logClosed = (s: object) => logger.info({ event: 'mqtt_transport_closed', ...s }, 'MQTT transport closed');

  if (config.external) {
    const consumer = await startExternalConsumer({ ...config.external, handler, logger });
    const stats = () => ({ ...handler.stats(), mode: 'external' as const, refused_publishes: 0 });
    return { mqttPort: null, stats, publishRetained: consumer.publishRetained, close: async () => (await consumer.close(), logClosed(stats())) };
  }
  const users = config.usersFile ? loadUsersFile(config.usersFile) : null;
  // Payload limit plus room for the topic (at most 65,535 bytes) and the packet id [MQTT-3.3.2].
  const maxPacketBytes = config.maxPayloadBytes + 65_535 + 4;
  const broker = await startEmbeddedBroker({ ...config.embedded!, users, handler, logger, maxPacketBytes });
  if (users) logger.info({ event: 'mqtt_auth', users: Object.keys(users).length }, 'embedded MQTT broker requires a login');
  const stats = () => ({ ...handler.stats(), mode: 'embedded' as const, refused_publishes: broker.refused() });
  return { mqttPort: broker.port, stats, publishRetained: broker.publishRetained, close: async () => (await broker.close(), logClosed(stats())) };
}
