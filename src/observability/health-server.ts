import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** What the health server asks of the process it watches. */
export interface HealthSource {
  readonly metrics: Metrics;
  /** True when the process can do its work now: for the worker, pollers running and the OpenSearch gate open. */
  ready(): boolean;
}

/** A listening health server: the port it got (useful with port 0), and how to close it. */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (the process answers: a container restart will not help otherwise),
 * `/readyz` (200 when ready, else 503) and `/metrics` (Prometheus text format). Anything else is 404.
 * Only GET and HEAD; nothing here reads a request body or echoes input.
 */
export async function startHealthServer(host: string, port: number, source: HealthSource, logger: Logger): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(req.method === 'HEAD' ? undefined : body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return void send(200, 'text/plain', 'ok\n');
    if (path === '/readyz') return void (source.ready() ? send(200, 'text/plain', 'ready\n') : send(503, 'text/plain', 'not ready\n'));
    if (path !== '/metrics') return void send(404, 'text/plain', 'not found: /healthz, /readyz, /metrics\n');
    source.metrics.scrape().then(
      ({ contentType, body }) => send(200, contentType, body),
      (err: Error) => {
        logger.error({ error: err.message }, 'metrics scrape failed');
        send(500, 'text/plain', 'metrics unavailable\n');
      },
    );
  });
  await listen(server, host, port);
  const bound = (server.address() as AddressInfo).port;
  logger.info({ host, port: bound }, 'health server listening: /healthz /readyz /metrics');
  return { port: bound, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`health server cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
}
