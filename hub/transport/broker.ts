import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../../common/logger.js';
import { parseTopic } from '../../common/topics.js';
import { mayPublish, maySubscribe } from './acl.js';
import { RetryLater, type MessageHandler } from './message-handler.js';
import { verifyPassword, type MqttUser, type UsersFile } from './users.js';

export interface EmbeddedBrokerOptions {
  port: number;
  /** PEM certificate and key (HUB_TLS_CERT / HUB_TLS_KEY): the broker then speaks MQTTS only. */
  tls?: { cert: Buffer; key: Buffer } | null;
  host: string;
  /** null = anonymous access (logged as a warning at start). */
  users: UsersFile | null;
  handler: MessageHandler;
  logger: Logger;
}

/**
 * The one-box broker: aedes 1.x (MQTT 3.1.1) inside the hub process.
 *
 * Ack after commit: aedes writes the PUBACK of a QoS 1 PUBLISH only after `authorizePublish` calls back
 * (aedes lib/handlers/publish.js: authorizePublish → enqueuePublish → write(PubAck)). The hub stores the
 * message *inside* authorizePublish, so the agent's PUBACK follows the database commit, and a hub killed
 * before the commit never acknowledged the batch: it is still in the agent's spool and is sent again. When
 * the database is down the callback gets an error, aedes closes that connection without a PUBACK and the
 * agent resends after reconnecting. Rejected content (bad JSON, invalid events) is acknowledged, so it never
 * blocks the topic.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions) {
  const log = opts.logger.child({ component: 'mqtt_broker' });
  const logins = new WeakMap<Client, MqttUser>();
  let refused = 0;

  const broker = await Aedes.createBroker({
    // Agent client ids are agent-<store>-<camera>: longer than 3.1.1's guaranteed 23 characters [MQTT-3.1.3-5].
    maxClientsIdLength: 160,
    authenticate(client, username, password, done) {
      if (!opts.users) return done(null, true);
      const user = username ? opts.users[username] : undefined;
      const fail = () => {
        log.warn({ event: 'mqtt_login_refused', client_id: client.id, username: username ?? null }, 'MQTT login refused');
        const err = new Error('bad user name or password') as AuthenticateError;
        err.returnCode = 4;
        done(err, false);
      };
      if (!user || !password) return fail();
      verifyPassword(password.toString('utf8'), user.password_hash).then(
        (ok) => {
          if (!ok) return fail();
          logins.set(client, user);
          done(null, true);
        },
        () => fail(),
      );
    },
    authorizeSubscribe(client, sub, done) {
      const user = logins.get(client);
      if (opts.users && (!user || !maySubscribe(user, sub.topic))) {
        log.warn({ event: 'mqtt_subscribe_refused', client_id: client.id, topic: sub.topic }, 'subscription refused');
        return done(null, null);
      }
      done(null, sub);
    },
    authorizePublish(client, packet, done) {
      const topic = packet.topic;
      if (opts.users) {
        const user = client ? logins.get(client) : undefined;
        const verdict = user ? mayPublish(user, topic) : { ok: false as const, reason: 'not logged in' };
        if (!verdict.ok) {
          refused += 1;
          log.warn({ event: 'mqtt_publish_refused', client_id: client?.id, topic: topic.slice(0, 200), reason: verdict.reason }, `publish refused: ${verdict.reason}`);
          return done(new Error(verdict.reason));
        }
      }
      if (topic.startsWith('$SYS')) return done(new Error('$SYS is read-only'));
      if (!parseTopic(topic)) return done(null); // not ours (anonymous mode only): plain broker traffic
      opts.handler.handle(topic, packet.payload as Buffer).then(
        () => done(null),
        (err) => {
          if (!(err instanceof RetryLater)) log.error({ event: 'mqtt_handler_crash', err: (err as Error).message }, 'unexpected handler error');
          done(err as Error);
        },
      );
    },
  });
  broker.on('clientError', (client, err) => log.debug({ event: 'mqtt_client_error', client_id: client.id, err: err.message }));

  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  };
  const server = opts.tls ? tls.createServer({ cert: opts.tls.cert, key: opts.tls.key }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => (server.off('error', reject), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  if (!opts.users) {
    log.warn({ event: 'mqtt_anonymous', port }, 'embedded MQTT broker accepts anonymous clients: set MQTT_USERS_FILE to require logins');
  }

  return {
    port,
    refused: () => refused,
    clients: () => broker.connectedClients,
    async close(): Promise<void> {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await serverClosed;
    },
  };
}
export type EmbeddedBroker = Awaited<ReturnType<typeof startEmbeddedBroker>>;
