import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../../common/logger.js';
import { parseTopic } from '../../common/topics.js';
import { createLoginGuard, DEFAULT_LOGIN_GUARD, verifyConstantCost, type LoginGuard } from '../security/login-guard.js';
import { clientIdClashes, isHubTopic, MAX_RETAINED_TOPICS, mayPublish, mayRetain, maySubscribe, mayUseClientId } from './acl.js';
import { RetryLater, type MessageHandler } from './message-handler.js';
import { limitPacketSize } from './packet-guard.js';
import type { MqttUser, UsersFile } from './users.js';

export interface EmbeddedBrokerOptions {
  port: number;
  /** PEM certificate and key (HUB_TLS_CERT / HUB_TLS_KEY): the broker then speaks MQTTS only. */
  tls?: { cert: Buffer; key: Buffer } | null;
  host: string;
  /** null = anonymous access (logged as a warning at start). */
  users: UsersFile | null;
  handler: MessageHandler;
  logger: Logger;
  /** Largest MQTT packet accepted (Remaining Length, bytes); a bigger one closes the connection at its header. */
  maxPacketBytes: number;
  /** Failed-login throttle (shared defaults with API keys). */
  loginGuard?: LoginGuard;
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
  const usernames = new WeakMap<Client, string>();
  const guard = opts.loginGuard ?? createLoginGuard(DEFAULT_LOGIN_GUARD);
  const retained = new Set<string>();
  let refused = 0;
  /** Every store with a login: an agent client id belongs to the longest one it starts with (mayUseClientId). */
  const stores = [...new Set(Object.values(opts.users ?? {}).map((u) => u.store_id))];
  for (const c of clientIdClashes(opts.users ?? {})) {
    log.warn({ event: 'mqtt_client_id_clash', username: c.username, client_id: c.clientId, store: c.owner },
      `the agent of login ${c.username} would connect as ${c.clientId}, which belongs to store ${c.owner}: it will be refused; rename its camera`);
  }

  const broker = await Aedes.createBroker({
    // Agent client ids are agent-<store>-<camera>: longer than 3.1.1's guaranteed 23 characters [MQTT-3.1.3-5].
    maxClientsIdLength: 160,
    authenticate(client, username, password, done) {
      if (!opts.users) return done(null, true);
      const user = username && Object.hasOwn(opts.users, username) ? opts.users[username] : undefined;
      const ip = (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? '';
      const account = username ? username.slice(0, 128) : null;
      const refuse = (reason: string, returnCode: 2 | 4 | 5) => {
        log.warn({ event: 'mqtt_login_refused', client_id: client.id.slice(0, 160), username: username?.slice(0, 128) ?? null, reason }, 'MQTT login refused');
        const err = new Error(reason) as AuthenticateError;
        err.returnCode = returnCode;
        done(err, false);
      };
      if (guard.blockedFor(ip, account) > 0) return refuse('too many failed logins', 5);
      // An unknown user name costs a full scrypt too, so timing does not tell which names exist.
      verifyConstantCost(password ? password.toString('utf8') : '', user?.password_hash).then(
        (ok) => {
          if (!ok || !user || !password) {
            guard.fail(ip, account);
            return refuse('bad user name or password', 4);
          }
          if (!mayUseClientId(user, client.id, stores)) return refuse(`client id ${client.id.slice(0, 160)} belongs to another store's agent`, 2);
          const holder = (broker as unknown as { clients: Record<string, Client | undefined> }).clients[client.id];
          if (holder && holder !== client && usernames.get(holder) !== username) {
            return refuse(`client id ${client.id.slice(0, 160)} is in use by another login`, 2);
          }
          logins.set(client, user);
          usernames.set(client, username!);
          done(null, true);
        },
        () => refuse('login check failed', 4),
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
      // Layouts and watch flags reach agents here; the hub publishes them through the broker object, never as a client.
      if (isHubTopic(topic)) {
        refused += 1;
        log.warn({ event: 'mqtt_publish_refused', client_id: client?.id, topic: topic.slice(0, 200), reason: 'config/watch topics are written by the hub only' }, 'publish refused: hub topic');
        return done(new Error('config/watch topics are written by the hub only'));
      }
      if (packet.retain) {
        const bytes = (packet.payload as Buffer).length;
        const verdict = mayRetain(topic, bytes);
        const full = bytes > 0 && !retained.has(topic) && retained.size >= MAX_RETAINED_TOPICS;
        if (!verdict.ok || full) {
          refused += 1;
          const reason = verdict.ok ? `the broker already keeps ${MAX_RETAINED_TOPICS} retained topics` : verdict.reason;
          log.warn({ event: 'mqtt_publish_refused', client_id: client?.id, topic: topic.slice(0, 200), reason }, `publish refused: ${reason}`);
          return done(new Error(reason));
        }
        if (bytes > 0) retained.add(topic);
        else retained.delete(topic);
      }
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
    const conn = limitPacketSize(socket, opts.maxPacketBytes, (declared) => {
      refused += 1;
      log.warn({ event: 'mqtt_packet_too_large', remote: socket.remoteAddress, bytes: declared, limit: opts.maxPacketBytes }, 'MQTT packet over the size limit: connection closed');
    });
    broker.handle(conn as unknown as net.Socket);
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
    /** The hub's own retained publish (layouts on config topics): bypasses the client ACL on purpose. */
    publishRetained(topic: string, payload: string): Promise<void> {
      return new Promise((resolve, reject) => {
        broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true, dup: false, messageId: 0 }, (err) => (err ? reject(err) : resolve()));
      });
    },
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
