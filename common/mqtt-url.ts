import { z } from 'zod';

/**
 * The one rule for a broker URL, shared by the hub (MQTT_URL) and the agent (--mqtt): the schemes MQTT.js
 * connects with. `name` prefixes the message where no path does (CLI flags).
 */
export const mqttUrlSchema = (name?: string) =>
  z.string().regex(/^(mqtts?|tcp|tls|wss?):\/\/.+/, `${name ? `${name} ` : ''}must be an mqtt://, mqtts://, tcp://, tls://, ws:// or wss:// URL`);
