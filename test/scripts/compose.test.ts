import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { interpolate } from '../../scripts/compose-sim.js';

/**
 * No Docker engine runs in CI, so this checks what can be checked without one: docker-compose.yml parses, has
 * the services and profiles the docs promise, references only files that exist, documents its variables in
 * .env.example, pins its images, and the Dockerfiles follow the rules (multi-stage, npm ci --omit=dev,
 * non-root, HEALTHCHECK, no weights or clips baked in). `docker compose config` runs when the client has it.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(resolve(ROOT, f), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  restart?: string;
  command?: string[];
  env_file?: (string | { path: string })[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  environment?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const envExample = new Map(
  read('.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
);

function dockerfileStages(text: string): { from: string; body: string[] }[] {
  const stages: { from: string; body: string[] }[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const l = line.trim();
    if (/^FROM\s/i.test(l)) stages.push({ from: l, body: [] });
    else if (l && !l.startsWith('#')) stages.at(-1)?.body.push(l);
  }
  return stages;
}

describe('docker-compose.yml, Dockerfiles and .env.example', () => {
  it('declares the default services and the scale profile', () => {
    const s = compose.services;
    for (const name of ['hub', 'agent_entry', 'agent_aisle', 'agent_floor', 'pos_replay']) {
      expect(s[name], name).to.be.an('object');
      expect(s[name]!.profiles ?? [], `${name} runs by default`).to.deep.equal([]);
    }
    for (const name of ['mosquitto', 'postgres', 'hub_a', 'hub_b']) {
      expect(s[name]?.profiles, name).to.deep.equal(['scale']);
    }
    for (const name of ['hub_a', 'hub_b']) {
      const env = s[name]!.environment!;
      expect(env.MQTT_URL).to.equal('mqtt://mosquitto:1883');
      expect(String(env.DATABASE_URL)).to.match(/^postgres:\/\/.+@postgres:5432\//);
    }
    expect(s.hub_a!.environment!.MQTT_CLIENT_ID).to.not.equal(s.hub_b!.environment!.MQTT_CLIENT_ID);
  });

  it('references only files that exist (build contexts, Dockerfiles, env files, bind mounts, camera configs)', () => {
    const env = { ...Object.fromEntries(envExample), ...process.env };
    const missing: string[] = [];
    const check = (what: string, p: string) => existsSync(isAbsolute(p) ? p : resolve(ROOT, p)) || missing.push(`${what}: ${p}`);
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build) {
        check(`${name} build context`, svc.build.context);
        check(`${name} dockerfile`, resolve(ROOT, svc.build.context, svc.build.dockerfile));
      }
      for (const f of svc.env_file ?? []) check(`${name} env_file`, typeof f === 'string' ? f : f.path);
      for (const v of svc.volumes ?? []) {
        const src = interpolate(v, env).split(':')[0]!;
        if (!/^[./~]/.test(src)) {
          expect(compose.volumes, `${name}: named volume ${src} is declared`).to.have.property(src);
          continue;
        }
        if (v.includes('${STORE_ASSETS_DIR') && !process.env.STORE_ASSETS_DIR && !existsSync(resolve(ROOT, src))) {
          console.log(`      (assets mount ${src} not checked: STORE_ASSETS_DIR is unset and npm run assets has not run)`);
          continue;
        }
        check(`${name} bind mount`, src);
      }
      // Files named on the command line inside the image: repository files (data/, scripts/) must exist here.
      const words = (svc.command ?? []).flatMap((c) => c.split(/\s+/));
      for (const w of words) if (/^(data|scripts|hub|agent)\//.test(w)) check(`${name} command`, w);
      if (process.env.STORE_ASSETS_DIR) {
        for (const arg of words) if (arg.startsWith('/assets/')) check(`${name} clip`, resolve(process.env.STORE_ASSETS_DIR, arg.slice('/assets/'.length)));
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('documents every variable it uses in .env.example, and nothing stale', () => {
    const used = new Set([...composeText.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect([...used].filter((v) => !envExample.has(v)), 'used but not in .env.example').to.deep.equal([]);
    expect([...envExample.keys()].filter((v) => !used.has(v)), 'in .env.example but unused').to.deep.equal([]);
  });

  it('has a healthcheck on every long-running service', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.restart === 'no') continue; // one-shot jobs (pos_replay) exit when done
      expect(svc.healthcheck?.test, `${name} healthcheck`).to.be.an('array').with.length.greaterThan(1);
    }
  });

  it('pins every image to a specific version', () => {
    const images = Object.values(compose.services).map((s) => s.image).filter((i): i is string => !!i && !i.startsWith('store-intelligence/'));
    expect(images).to.include.members(['eclipse-mosquitto:2.0.20', 'postgres:16.6-bookworm']);
    for (const img of images) expect(img, img).to.match(/^(eclipse-mosquitto:2\.0\.\d+|postgres:16\.\d+(-bookworm)?)$/);
    for (const f of ['hub.Dockerfile', 'agent.Dockerfile']) {
      expect(read(f), f).to.match(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
      expect(read(f), f).to.not.match(/:latest\b/);
    }
  });

  for (const file of ['hub.Dockerfile', 'agent.Dockerfile']) {
    it(`${file}: multi-stage, npm ci --omit=dev, toolchain only in the build stage, non-root, HEALTHCHECK, nothing baked in`, () => {
      const text = read(file);
      const stages = dockerfileStages(text);
      expect(stages.length, 'stages').to.be.at.least(2);
      const runtime = stages.at(-1)!;
      expect(text).to.match(/npm ci --omit=dev/);
      // Every npm ci keeps onnxruntime-node's CUDA download off (the image's npm 10 ignores package.json allowScripts).
      for (const l of text.split('\n').filter((x) => /\bnpm ci\b/.test(x))) expect(l).to.match(/ONNXRUNTIME_NODE_INSTALL=skip npm ci/);
      expect(runtime.body.join('\n')).to.not.match(/g\+\+|python3|build-essential/);
      const users = runtime.body.filter((l) => /^USER\s/i.test(l));
      expect(users.at(-1), 'final USER').to.match(/^USER\s+(node|\d{4,})$/);
      expect(runtime.body.some((l) => /^HEALTHCHECK\s+.*CMD\s/i.test(l)), 'HEALTHCHECK').to.equal(true);
      for (const stage of stages) {
        for (const l of stage.body.filter((x) => /^COPY\s/i.test(x) && !/--from=/.test(x))) {
          const srcs = l.split(/\s+/).slice(1, -1).filter((p) => !p.startsWith('--'));
          for (const src of srcs) {
            expect(existsSync(resolve(ROOT, src)), `${file}: COPY source ${src}`).to.equal(true);
            expect(src, `${file} must not bake in weights or clips`).to.not.match(/assets|\.onnx|\.mp4|\.gif|media|models/);
          }
        }
      }
    });
  }

  it('every npm script a Dockerfile runs exists and its entry file is in the repository', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const f of ['hub.Dockerfile', 'agent.Dockerfile']) {
      for (const [, name] of read(f).matchAll(/npm run ([\w:-]+)/g)) {
        expect(scripts[name!], `${f}: npm run ${name}`).to.be.a('string');
        const entry = /tsx (\S+\.ts)/.exec(scripts[name!]!)?.[1];
        if (entry) expect(existsSync(resolve(ROOT, entry)), `${f}: npm run ${name} → ${entry}`).to.equal(true);
      }
      for (const [entry] of read(f).matchAll(/(?:hub|agent)\/[\w/-]+\.ts/g)) expect(existsSync(resolve(ROOT, entry)), `${f}: ${entry}`).to.equal(true);
    }
  });

  it('.dockerignore keeps weights, clips, secrets and node_modules out of the build context', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'assets', '*.onnx', '*.mp4', '*.gif', '.env', '.git']) expect(lines, p).to.include(p);
  });

  it('passes `docker compose config` when the docker client has the compose plugin', function () {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      console.log(`      skip: docker compose is not available here (${(probe.error?.message ?? probe.stderr).trim().split('\n')[0]}); the YAML checks above stand in`);
      return this.skip();
    }
    const r = spawnSync('docker', ['compose', '--env-file', '.env.example', '--profile', 'scale', 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
  });
});
