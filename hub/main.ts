import { createLogger } from '../common/logger.js';
import { isAppError } from '../common/errors.js';
import { loadHubConfig } from './config.js';
import { startHub } from './app.js';

/** Entry point: read config, start, log `hub_listening`, stop cleanly on SIGTERM/SIGINT. Nothing else. */
async function main(): Promise<void> {
  const config = loadHubConfig();
  const logger = createLogger({ name: 'hub', level: config.logLevel });
  const running = await startHub(config, { logger });
  logger.info({ event: 'hub_listening', http_port: running.httpPort, mqtt_port: running.mqttPort }, 'hub listening');
  const stop = async (signal: string) => {
    logger.info({ event: 'hub_stopping', signal });
    await running.close();
    logger.info({ event: 'hub_stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  const msg = isAppError(err) ? `${err.code}: ${err.message}` : (err as Error).stack ?? String(err);
  process.stderr.write(`hub: cannot start: ${msg}\n`);
  process.exit(1);
});
