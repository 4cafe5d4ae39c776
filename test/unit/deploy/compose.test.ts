import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ENV } from '../../../src/config/schema.js';

const root = new URL('../../../', import.meta.url);
const OUR_IMAGE = 'aws-log-indexer:local';
/** Read by the AWS SDK itself, not by our settings: the emulator's documented dummy pair. */
const SDK_VARIABLES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
const SETTING_VARIABLES = new Set<string>(Object.values(ENV));

interface Service {
  image?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  container_name?: string;
  ports?: unknown[];
  stop_grace_period?: string;
  command?: string[];
}
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const ours = Object.entries(services).filter(([, s]) => s.image === OUR_IMAGE);

describe('docker-compose.yml', () => {
  it('gives our image only variables that exist in the settings schema (or that the AWS SDK reads)', () => {
    assert.deepEqual(ours.map(([name]) => name).sort(), ['demo', 'setup', 'worker']);
    for (const [name, service] of ours) {
      for (const variable of Object.keys(service.environment ?? {})) {
        assert.ok(SETTING_VARIABLES.has(variable) || SDK_VARIABLES.has(variable), `${name}: ${variable} is no setting (src/config/schema.ts)`);
      }
    }
  });

  it('checks the health of every long-running service and orders start-up by conditions', () => {
    for (const [name, service] of Object.entries(services)) {
      const oneShot = ['setup', 'demo'].includes(name);
      if (!oneShot) assert.ok(service.healthcheck?.test, `${name} has a healthcheck`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const expected = ['setup'].includes(dependency) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(condition, expected, `${name} waits for ${dependency}`);
      }
    }
    assert.deepEqual(Object.keys(services['setup']?.depends_on ?? {}).sort(), ['dashboards', 'localstack', 'opensearch']);
    assert.deepEqual(services['setup']?.command, ['setup', '--dashboards-url', 'http://dashboards:5601'], 'setup imports the saved objects into Dashboards');
  });

  it('lets the worker scale and stop gracefully', () => {
    const worker = services['worker'] as Service;
    assert.equal(worker.container_name, undefined, 'a fixed name would forbid --scale');
    assert.equal(worker.ports, undefined, 'a host port would forbid --scale');
    const grace = Number(worker.environment?.['SHUTDOWN_GRACE_SECONDS']);
    assert.ok(Number.parseInt(worker.stop_grace_period ?? '10', 10) > grace, 'stop_grace_period outlasts SHUTDOWN_GRACE_SECONDS');
  });

  it('pins LocalStack to the last image without an auth token and passes a token through for newer ones', () => {
    const localstack = services['localstack'] as Service;
    assert.equal(localstack.image, 'localstack/localstack:4.14.0');
    assert.equal(localstack.environment?.['LOCALSTACK_AUTH_TOKEN'], '${LOCALSTACK_AUTH_TOKEN:-}');
    assert.match(services['opensearch']?.image ?? '', /^opensearchproject\/opensearch:2\.19\.\d+$/);
    assert.match(services['dashboards']?.image ?? '', /^opensearchproject\/opensearch-dashboards:2\.19\.\d+$/);
    assert.deepEqual(services['demo']?.profiles, ['demo']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');

  it('sets only variables that are settings (or Node\'s own NODE_ENV and NODE_OPTIONS)', () => {
    const env = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1] ?? '';
    const names = [...env.matchAll(/([A-Z_]+)=/g)].map((m) => m[1] as string);
    assert.ok(names.includes('HEALTH_PORT'));
    // README, Memory and Fargate sizing: RSS follows V8's old-space cap, not the host's memory.
    assert.match(env, /NODE_OPTIONS=--max-old-space-size=\d+ /);
    for (const name of names) assert.ok(SETTING_VARIABLES.has(name) || name === 'NODE_ENV' || name === 'NODE_OPTIONS', `${name} is no setting`);
  });

  it('runs the worker by default, as non-root, under an init that forwards SIGTERM, with a health check', () => {
    assert.match(dockerfile, /^USER 1000:1000$/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "\/app\/bin\/aws-log-indexer.js"\]$/m);
    assert.match(dockerfile, /^CMD \["worker"\]$/m);
    assert.match(dockerfile, /^COPY --chown=root:root dashboards \.\/dashboards$/m, 'setup --dashboards-url reads /app/dashboards');
    assert.match(dockerfile, /^HEALTHCHECK .*\n.*\/healthz/m);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:(22|24)\.\d+\.\d+-bookworm-slim$/m);
  });
});
