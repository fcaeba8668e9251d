import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../common/logger.js';
import { HEATMAP_WILDCARD, LIVE_WILDCARD, STATUS_WILDCARD, sharedEventsTopic } from '../../common/topics.js';
import { RetryLater, type MessageHandler } from './message-handler.js';

export interface ExternalConsumerOptions {
  url: string;
  clientId: string;
  sharedGroup: string;
  username?: string;
  password?: string;
  handler: MessageHandler;
  logger: Logger;
}

/**
 * The hub as a client of an external broker (Mosquitto 2, EMQX), for scale-out.
 *
 * - Events arrive through `$share/<group>/store/+/camera/+/events`, so N replicas split the stream; status
 *   and heatmap topics are plain subscriptions (retained messages are not sent to shared subscriptions,
 *   MQTT 5.0 §4.8.2), so every replica records every heartbeat (an idempotent upsert).
 * - Ack after commit: MQTT.js sends the PUBACK only when our `handleMessage` calls back, after the batch is
 *   committed. When the database is down we withhold the PUBACK and drop the connection: an
 *   MQTT 3.1.1 broker resends unacknowledged messages only on reconnect [MQTT-4.4.0-1].
 * - Persistent session (clean: false, fixed client id): messages for this replica queued while it was down
 *   are delivered when it comes back (Mosquitto keeps up to max_queued_messages, default 1000 messages).
 * MQTT.js hands us one packet at a time, so a replica commits its messages in arrival order.
 */
export async function startExternalConsumer(opts: ExternalConsumerOptions) {
  const log = opts.logger.child({ component: 'mqtt_consumer', broker: opts.url, client_id: opts.clientId });
  const topics = { [sharedEventsTopic(opts.sharedGroup)]: { qos: 1 as const }, [STATUS_WILDCARD]: { qos: 1 as const }, [HEATMAP_WILDCARD]: { qos: 0 as const }, [LIVE_WILDCARD]: { qos: 0 as const } };
  let client!: MqttClient;

  const subscribed = new Promise<void>((resolve, reject) => {
    client = mqtt.connect(opts.url, {
      clientId: opts.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      username: opts.username,
      password: opts.password,
    });
    // MQTT.js sends a QoS 1 PUBACK only after `handleMessage` calls back without an error (build/lib/handlers/
    // publish.js); its `customHandleAcks` hook exists for MQTT 5 only, and we must speak 3.1.1.
    client.handleMessage = (packet, callback) => {
      opts.handler.handle(packet.topic, packet.payload as Buffer).then(
        () => callback(),
        (err: Error) => {
          callback(err);
          // No PUBACK was sent; drop the connection so the broker redelivers after we reconnect.
          if (err instanceof RetryLater) client.stream?.destroy();
        },
      );
    };
    client.on('connect', (connack) => {
      log.info({ event: 'mqtt_consumer_connected', session_present: connack.sessionPresent }, 'connected to the external broker');
      client.subscribe(topics, (err) => {
        if (err) {
          log.error({ event: 'mqtt_subscribe_failed', err: err.message }, 'subscription refused by the broker');
          reject(err);
        } else resolve();
      });
    });
    client.on('error', (err) => {
      if (err instanceof RetryLater) return;
      log.error({ event: 'mqtt_consumer_error', err: err.message }, 'external broker error');
    });
    client.on('offline', () => log.warn({ event: 'mqtt_consumer_offline' }, 'external broker unreachable; reconnecting'));
  });

  await subscribed;
  return {
    connected: () => client.connected,
    /** Retained QoS 1 publish with the hub's own login (layouts on config topics; the broker's ACL must allow it). */
    async publishRetained(topic: string, payload: string): Promise<void> {
      await client.publishAsync(topic, payload, { qos: 1, retain: true });
    },
    async close(): Promise<void> {
      // A clean DISCONNECT keeps the persistent session: messages keep queuing for this replica.
      await client.endAsync(false);
    },
  };
}
