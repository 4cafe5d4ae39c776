import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { countDocs, dropStack, finished, newStack, putObject, queueDepth, spawnWorker, type TestStack } from '../helpers/stack.js';
import { freePort } from '../helpers/net.js';

const OBJECTS = 2;
const RECORDS = 300;
const START = Date.UTC(2026, 10, 22, 9, 0) / 1000;
/** One message per object, and the s3:TestEvent that setting the bucket notification sends. */
const MESSAGES = OBJECTS + 1;

/** One sample's value from Prometheus text, e.g. `metric('x_total', 'result="created"')`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the worker\'s health and metrics server (HTTP, real worker process)', () => {
  let stack: TestStack;
  let stopped: TestStack | undefined;
  after(() => Promise.all([dropStack(stack), dropStack(stopped)]));

  it('answers /healthz and /readyz, and /metrics counts what the worker did', async () => {
    stack = await newStack();
    let gzipBytes = 0;
    for (let i = 0; i < OBJECTS; i++) {
      const key = flowLogKey('123456789012', 'us-east-1', 'fl-health', START + i * 60, `h${i}`);
      const text = `${[...sampleLines({ seed: i, records: RECORDS, format: SampleFormat.default, start: START })].join('\n')}\n`;
      gzipBytes += gzipSync(text).length;
      await putObject(stack, key, text);
    }
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const worker = spawnWorker(stack, { HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1' }, []);
    try {
      await until('/readyz 200', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      const text = await until('every document created', async () => {
        const body = await (await fetch(`${base}/metrics`)).text();
        return sample(body, 'aws_log_indexer_documents_total', 'result="created"') === OBJECTS * RECORDS ? body : undefined;
      });
      const m = (name: string, labels?: string) => sample(text, `aws_log_indexer_${name}`, labels);
      assert.equal(m('messages_received_total'), MESSAGES);
      assert.equal(m('objects_total', 'outcome="indexed"'), OBJECTS);
      assert.equal(m('records_total'), OBJECTS * RECORDS);
      assert.equal(m('documents_total', 'result="exists"'), 0);
      assert.equal(m('message_age_at_receive_seconds_count'), MESSAGES, 'one age per message, from SentTimestamp');
      assert.equal(m('s3_bytes_read_total'), gzipBytes, 'every object\'s bytes, once');
      assert.ok((m('bulk_request_duration_seconds_count') ?? 0) >= 1);
      assert.equal(m('opensearch_gate_open'), 1);
      assert.ok(m('process_resident_memory_bytes') !== undefined, 'default process metrics are there');
      assert.equal((await fetch(`${base}/nothing`)).status, 404);
      // The message is deleted after its documents are acknowledged: the counter follows shortly.
      const done = await until('messages deleted', async () => {
        const body = await (await fetch(`${base}/metrics`)).text();
        return sample(body, 'aws_log_indexer_messages_deleted_total') === MESSAGES ? body : undefined;
      });
      assert.equal(sample(done, 'aws_log_indexer_messages_in_flight'), 0);
    } finally {
      worker.child.kill('SIGTERM');
    }
    const exit = await worker.exited;
    assert.equal(exit.code, 0, exit.log);
    await assert.rejects(fetch(`${base}/healthz`), 'the server closes with the worker');
  });

  it('SIGTERM while it starts (its first log line, before GeoIP and the probes): exits 0 and receives nothing', async () => {
    stopped = await newStack();
    const key = flowLogKey('123456789012', 'us-east-1', 'fl-health', START, 'early');
    await putObject(stopped, key, `${[...sampleLines({ seed: 9, records: RECORDS, format: SampleFormat.default, start: START })].join('\n')}\n`);
    const worker = spawnWorker(stopped, { HEALTH_PORT: String(await freePort()), HEALTH_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, []);
    worker.child.stderr?.once('data', () => worker.child.kill('SIGTERM'));
    const exit = await finished(worker, 60_000);
    assert.deepEqual([exit.code, exit.signal], [0, null], `ended by code ${exit.code}, signal ${exit.signal}; its log: ${exit.logFile}`);
    assert.match(exit.log, /"signal":"SIGTERM"[^\n]*stopping/);
    assert.doesNotMatch(exit.log, /worker started/, 'no poller started');
    assert.equal(await queueDepth(stopped, 'main'), 2, 'the object\'s message and the s3:TestEvent are still there');
    assert.equal(await countDocs(stopped), 0);
  });
});
