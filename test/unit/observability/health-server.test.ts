import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startHealthServer } from '../../../src/observability/health-server.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { newStats } from '../../../src/worker/stats.js';

describe('health server', () => {
  it('says alive always, ready only when the source is, and serves the metrics', async () => {
    let ready = false;
    const metrics = new Metrics();
    const server = await startHealthServer('127.0.0.1', 0, { metrics, ready: () => ready }, createLogger('silent'));
    const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
    try {
      assert.equal((await fetch(url('/healthz'))).status, 200);
      assert.equal((await fetch(url('/readyz'))).status, 503);
      ready = true;
      assert.equal((await fetch(url('/readyz?verbose'))).status, 200);
      const scrape = await fetch(url('/metrics'));
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await scrape.text(), /^# HELP aws_log_indexer_/m);
      assert.equal((await fetch(url('/'))).status, 404);
      assert.equal((await fetch(url('/healthz'), { method: 'POST', body: 'x' })).status, 405);
    } finally {
      await server.close();
    }
  });

  it('fails clearly when the port is taken', async () => {
    const logger = createLogger('silent');
    const first = await startHealthServer('127.0.0.1', 0, { metrics: new Metrics(), ready: () => true }, logger);
    try {
      await assert.rejects(startHealthServer('127.0.0.1', first.port, { metrics: new Metrics(), ready: () => true }, logger),
        new RegExp(`health server cannot listen on 127\\.0\\.0\\.1:${first.port}: .*EADDRINUSE`));
    } finally {
      await first.close();
    }
  });
});

describe('metrics', () => {
  it('reads the worker\'s totals at scrape time: objects by outcome, documents by result', async () => {
    const metrics = new Metrics();
    const stats = { ...newStats(), messages: 5, messagesDeleted: 3, messagesReleased: 1, objects: 10, objectsSkipped: 3, objectsRefused: 1, objectsFailed: 2, created: 7, exists: 2 };
    let open = true;
    metrics.watch({ totals: stats, inFlight: () => 4, inFlightBytes: () => 0, gateOpen: () => open });
    stats.lines = 42; // read when scraped, not when watched
    open = false;
    metrics.received(1_000, 31_000);
    metrics.s3Read(1234);
    metrics.bulkRequest(0.2);
    const text = (await metrics.scrape()).body;
    const value = (sample: string) => Number(new RegExp(`^aws_log_indexer_${sample.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(value('messages_received_total'), 5);
    assert.equal(value('messages_deleted_total'), 3);
    assert.equal(value('messages_released_total'), 1);
    assert.equal(value('objects_total{outcome="indexed"}'), 5);
    assert.equal(value('objects_total{outcome="skipped"}'), 2);
    assert.equal(value('objects_total{outcome="refused"}'), 1);
    assert.equal(value('objects_total{outcome="failed"}'), 2);
    assert.equal(value('documents_total{result="created"}'), 7);
    assert.equal(value('documents_total{result="exists"}'), 2);
    assert.equal(value('records_total'), 42);
    assert.equal(value('messages_in_flight'), 4);
    assert.equal(value('opensearch_gate_open'), 0);
    assert.equal(value('message_age_at_receive_seconds_sum'), 30);
    assert.equal(value('message_age_at_receive_seconds_bucket{le="30"}'), 1);
    assert.equal(value('s3_bytes_read_total'), 1234);
    assert.equal(value('bulk_request_duration_seconds_count'), 1);
    // A second scrape reports the same totals, not twice them.
    assert.equal(/^aws_log_indexer_messages_received_total 5$/m.test((await metrics.scrape()).body), true);
  });
});
