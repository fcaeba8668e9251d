import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import knexFactory from 'knex';
import mqtt from 'mqtt';
import { silentLogger } from '../../common/logger.js';
import { interpolate, runComposeSim, scaleReplicas } from '../../scripts/compose-sim.js';
import { PG_URL } from '../helpers/hub.js';

const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const compose = readFileSync(resolve(import.meta.dirname, '../../docker-compose.yml'), 'utf8');

describe('compose:sim — the scale profile of docker-compose.yml, run natively', () => {
  it('interpolates like docker compose', () => {
    expect(interpolate('a${X:-d}b', {})).to.equal('adb');
    expect(interpolate('${X:-d}', { X: '' })).to.equal('d');
    expect(interpolate('${X-d}', { X: '' })).to.equal('');
    expect(interpolate('${X}', { X: 'v' })).to.equal('v');
    expect(interpolate('$$SYS', {})).to.equal('$SYS');
    expect(() => interpolate('${X:?set X}', {})).to.throw(/X is required \(set X\)/);
  });

  it('reads the hub replicas and their environment from the compose file', () => {
    const replicas = scaleReplicas(compose, {});
    expect(replicas.map((r) => r.name)).to.deep.equal(['hub_a', 'hub_b']);
    expect(replicas[0]!.env.LOG_LEVEL).to.equal('info');
    expect(replicas[0]!.env.DATABASE_URL).to.equal('postgres://store:change-me@postgres:5432/store');
    expect(() => scaleReplicas('services: {hub: {image: x}}')).to.throw(/at least two hub replicas/);
  });

  it('@integration every simulated event is stored exactly once, and both replicas took part', async function () {
    this.timeout(180_000);
    const reachable = await mqtt.connectAsync(BROKER, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 }).then((c) => (c.end(true), true), () => false);
    const k = knexFactory({ client: 'pg', connection: PG_URL });
    const pgUp = await k.raw('select 1').then(() => true, () => false);
    await k.destroy();
    if (!reachable || !pgUp) {
      console.log(`      skip: needs Mosquitto at ${BROKER} (${reachable ? 'up' : 'down'}) and PostgreSQL at ${PG_URL} (${pgUp ? 'up' : 'down'})`);
      return this.skip();
    }
    const report = await runComposeSim({ stores: 2, cameras: 3, hours: 0.5, seed: 5, mqttUrl: BROKER, pgUrl: PG_URL, logger: silentLogger() });
    console.log(`      events stored per replica: ${report.replicas.map((r) => `${r.name} ${r.events_inserted}`).join(', ')} of ${report.published}`);
    expect(report.published).to.be.greaterThan(100);
    expect(report.stored).to.equal(report.published);
    expect(report.distinct).to.equal(report.published);
    expect(report.replicas.every((r) => r.events_inserted > 0)).to.equal(true);
    expect(report.ok).to.equal(true);
  });
});
