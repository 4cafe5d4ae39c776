import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { BulkIndexer, RetryScope, type BulkHttpResponse, type RetryInfo } from '../../../src/sink/bulk-indexer.js';
import { serializeOp } from '../../../src/sink/bulk-body.js';
import { OpWriter } from '../../../src/core/bulk-op.js';
import type { EncodedOp, IndexOp } from '../../../src/core/types.js';
import { allCreated, bodyOf, connRefused, fast, gated, idsIn, itemsResponse, op, ops, outcomes, refused, run, scripted, type ItemSpec } from '../../helpers/bulk-fakes.js';

describe('BulkIndexer batching', () => {
  it('sends full batches of maxDocs and the remainder on flush, bodies exactly as serialised', async () => {
    const { transport, bodies } = scripted();
    const list = ops(7);
    const { seen, stats } = await run(transport, list, { maxDocs: 3 });
    assert.deepEqual(bodies, [bodyOf(list.slice(0, 3)), bodyOf(list.slice(3, 6)), bodyOf(list.slice(6))]);
    for (const o of list) assert.deepEqual(seen.only(o.id), { status: 'created' });
    assert.equal(stats.requests, 3);
    assert.equal(stats.created, 7);
    assert.equal(stats.bytesSent, bodies.reduce((sum, b) => sum + Buffer.byteLength(b), 0));
  });

  it('starts a new request when the next op would pass maxBytes', async () => {
    const { transport, bodies } = scripted();
    const list = ops(5, 10); // ids id-10..id-14: same line size
    const lineBytes = Buffer.byteLength(serializeOp(list[0] as IndexOp));
    await run(transport, list, { maxBytes: 2 * lineBytes + 1 });
    assert.deepEqual(bodies.map(idsIn), [['id-10', 'id-11'], ['id-12', 'id-13'], ['id-14']]);
  });

  it('sends an op larger than maxBytes alone', async () => {
    const { transport, bodies } = scripted();
    const big = op(2, { blob: 'x'.repeat(500) });
    const { seen } = await run(transport, [op(1), big, op(3)], { maxBytes: 200 });
    assert.deepEqual(bodies.map(idsIn), [['id-1'], ['id-2'], ['id-3']]);
    assert.deepEqual(seen.only('id-2'), { status: 'created' });
  });

  it('sends a partial batch flushIntervalMs after its first op, without flush', async () => {
    const { transport, bodies } = scripted();
    const indexer = new BulkIndexer(transport, { ...fast, flushIntervalMs: 5 });
    await indexer.add(op(1), () => {});
    assert.equal(bodies.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(bodies.map(idsIn), [['id-1']]);
    await indexer.close();
  });

  it('resolves flush at once when nothing is pending', async () => {
    const indexer = new BulkIndexer(() => Promise.reject(new Error('must not be called')));
    let done = false;
    void indexer.flush().then(() => { done = true; });
    await tick();
    assert.equal(done, true);
    assert.equal(indexer.stats.requests, 0);
  });
});

describe('BulkIndexer outcomes', () => {
  it('reports created, exists (409), rejected (mapper_parsing) and resends only the 429 items', async () => {
    const list = ops(5);
    const { transport, bodies } = scripted(
      itemsResponse([
        201,
        [409, 'version_conflict_engine_exception', '[id-1]: version conflict, document already exists'],
        [400, 'mapper_parsing_exception', 'failed to parse field [dstport]'],
        [429, 'es_rejected_execution_exception', 'rejected execution'],
        [503, 'unavailable_shards_exception', 'primary shard is not active'],
      ]),
      itemsResponse([201, [409, 'version_conflict_engine_exception', 'exists']]),
    );
    const retries: RetryInfo[] = [];
    const { seen, stats } = await run(transport, list, { onRetry: (info) => retries.push(info) });
    assert.equal(bodies.length, 2);
    assert.equal(bodies[1], bodyOf([list[3] as IndexOp, list[4] as IndexOp]));
    assert.deepEqual(seen.only('id-0'), { status: 'created' });
    assert.deepEqual(seen.only('id-1'), { status: 'exists' });
    assert.deepEqual(seen.only('id-2'), { status: 'rejected', error: 'mapper_parsing_exception: failed to parse field [dstport]' });
    assert.deepEqual(seen.only('id-3'), { status: 'created' });
    assert.deepEqual(seen.only('id-4'), { status: 'exists' });
    assert.equal(retries.length, 1);
    assert.deepEqual({ ...retries[0], delayMs: 0 }, {
      attempt: 1, delayMs: 0, docs: 2, scope: RetryScope.items, error: 'es_rejected_execution_exception: rejected execution',
    });
    assert.deepEqual(stats, { requests: 2, retries: 1, created: 2, exists: 2, rejected: 1, failed: 0, bytesSent: stats.bytesSent });
  });

  it('tells onRejected each rejection, before the operation\'s callback', async () => {
    const { transport } = scripted(itemsResponse([[400, 'mapper_parsing_exception', 'a'], 201, [400, 'illegal_argument_exception', 'b']]));
    const told: string[] = [];
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, { ...fast, onRejected: (outcome) => told.push(`${outcome.error} (${seen.byId.size} answered)`) });
    for (const o of ops(3)) await indexer.add(o, seen.of);
    await indexer.close();
    assert.deepEqual(told, ['mapper_parsing_exception: a (0 answered)', 'illegal_argument_exception: b (2 answered)']);
    assert.deepEqual([seen.only('id-0').status, seen.only('id-1').status, seen.only('id-2').status], ['rejected', 'created', 'rejected']);
  });

  it('releases each operation once its outcome is told, not before: one to be resent stays readable', async () => {
    const writer = new OpWriter();
    const lent = [0, 1].map((n) => writer.text('logs-2024.01.02', `id-${n}`, `{"n":${n}}`));
    const sent = lent.map((o) => Buffer.from(o.bulk).toString('utf8'));
    const readable = (o: EncodedOp): boolean => {
      try {
        return o.bulk.length > 0;
      } catch {
        return false;
      }
    };
    const during: boolean[] = [];
    const { transport, bodies } = scripted(itemsResponse([201, [429, 'es_rejected_execution_exception', 'busy']]), (body) => {
      during.push(...lent.map(readable));
      return allCreated(body);
    });
    const told: string[] = [];
    const indexer = new BulkIndexer(transport, fast);
    for (const o of lent) await indexer.add(o, (outcome, given) => told.push(`${given.id} ${outcome.status} ${given.json}`));
    await indexer.close();
    assert.deepEqual(told, ['id-0 created {"n":0}', 'id-1 created {"n":1}'], 'each read in its callback');
    assert.deepEqual(during, [false, true], 'while the second is resent, the first is released and the second is not');
    assert.equal(bodies[1], sent[1]);
    assert.deepEqual(lent.map(readable), [false, false]);
  });

  it('resends the whole body after a 503 on the request, then all are created', async () => {
    const { transport, bodies } = scripted(refused(503));
    const retries: RetryInfo[] = [];
    const { seen, stats } = await run(transport, ops(3), { onRetry: (info) => retries.push(info) });
    assert.equal(bodies.length, 2);
    assert.equal(bodies[1], bodies[0]);
    for (const o of ops(3)) assert.deepEqual(seen.only(o.id), { status: 'created' });
    assert.deepEqual(retries.map((r) => [r.scope, r.docs]), [[RetryScope.request, 3]]);
    assert.equal(stats.retries, 1);
  });

  it('resends after a connection error (ECONNREFUSED thrown), then all are created', async () => {
    const { transport, bodies } = scripted(connRefused(), connRefused());
    const { seen, stats } = await run(transport, ops(2));
    assert.equal(bodies.length, 3);
    for (const o of ops(2)) assert.deepEqual(seen.only(o.id), { status: 'created' });
    assert.equal(stats.retries, 2);
  });

  it('fails with the last error once retries are exhausted', async () => {
    const throttled = itemsResponse([[429, 'es_rejected_execution_exception', 'queue is full']]);
    const { transport, bodies } = scripted(refused(503), throttled, throttled, throttled);
    const { seen, stats } = await run(transport, [op(1)], { maxRetries: 2 });
    assert.equal(bodies.length, 3);
    const outcome = seen.only('id-1');
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error, 'es_rejected_execution_exception: queue is full (gave up after 2 retries)');
    assert.equal(stats.failed, 1);
  });

  for (const statusCode of [401, 403]) {
    it(`resends the whole batch on HTTP ${statusCode} (request scope: the worker pauses polling), then gives up as failed`, async () => {
      const { transport, bodies } = scripted(refused(statusCode), refused(statusCode), refused(statusCode));
      const retries: RetryInfo[] = [];
      const { seen } = await run(transport, ops(3), { maxRetries: 2, onRetry: (info) => retries.push(info) });
      assert.equal(bodies.length, 3);
      assert.deepEqual(retries.map((r) => r.scope), ['request', 'request']);
      for (const o of ops(3)) assert.equal(seen.only(o.id).status, 'failed', 'failed: the message stays in the queue, nothing is dead-lettered');
    });
  }

  for (const statusCode of [400]) {
    it(`fails every op of the batch at once on HTTP ${statusCode}, without retrying`, async () => {
      const { transport, bodies } = scripted(refused(statusCode));
      const retries: RetryInfo[] = [];
      const { seen, stats } = await run(transport, ops(3), { onRetry: (info) => retries.push(info) });
      assert.equal(bodies.length, 1);
      assert.equal(retries.length, 0);
      for (const o of ops(3)) {
        const outcome = seen.only(o.id);
        assert.equal(outcome.status, 'failed');
        assert.match(outcome.error ?? '', new RegExp(`HTTP ${statusCode}.*configuration problem`));
      }
      assert.equal(stats.failed, 3);
    });
  }

  it('splits a batch in halves on HTTP 413, and rejects a single op that is still too large', async () => {
    const { transport, bodies } = scripted(refused(413), refused(413), refused(413));
    const { seen, stats } = await run(transport, ops(4));
    // [0..3] 413 → [0,1] 413 → [0] 413 (rejected), [1] ok; [2,3] ok
    assert.deepEqual(bodies.map(idsIn), [['id-0', 'id-1', 'id-2', 'id-3'], ['id-0', 'id-1'], ['id-0'], ['id-1'], ['id-2', 'id-3']]);
    assert.equal(seen.only('id-0').status, 'rejected');
    assert.match(seen.only('id-0').error ?? '', /HTTP 413.*single document/);
    for (const id of ['id-1', 'id-2', 'id-3']) assert.deepEqual(seen.only(id), { status: 'created' });
    assert.equal(stats.retries, 0);
  });

  it('rejects an op that cannot be serialised without sending it, and fails adds after close', async () => {
    const { transport, bodies } = scripted();
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, fast);
    const bad = op(1, { n: 1n });
    await indexer.add(bad, seen.of);
    await indexer.close();
    await indexer.add(op(2), seen.of);
    assert.equal(bodies.length, 0);
    assert.equal(seen.only('id-1').status, 'rejected');
    assert.match(seen.only('id-1').error ?? '', /cannot serialise/);
    assert.deepEqual(seen.only('id-2'), { status: 'failed', error: 'bulk indexer closed: document not sent' });
  });

  it('calls every onOutcome exactly once under a storm of mixed answers', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
    const itemSpecs: ItemSpec[] = [201, 201, [409, 'version_conflict_engine_exception', 'x'], [400, 'mapper_parsing_exception', 'x'], [429, 'es_rejected_execution_exception', 'x'], [503, 'x', 'x']];
    const answer = (body: string): BulkHttpResponse | Error => {
      const roll = random();
      if (roll < 0.1) return connRefused();
      if (roll < 0.2) return refused(pick([429, 502, 503]));
      if (roll < 0.25) return refused(413);
      return itemsResponse(idsIn(body).map(() => pick(itemSpecs)));
    };
    const { transport, bodies } = scripted(...Array.from({ length: 10_000 }, () => answer));
    const list = ops(300);
    const { seen, stats } = await run(transport, list, { maxDocs: 7, concurrency: 3, maxRetries: 3 });
    assert.ok(bodies.length > 60, `only ${bodies.length} requests`);
    for (const o of list) seen.only(o.id);
    assert.equal(seen.byId.size, 300);
    assert.equal(stats.created + stats.exists + stats.rejected + stats.failed, 300);
    assert.ok(stats.failed > 0 && stats.rejected > 0 && stats.exists > 0, JSON.stringify(stats));
  });
});

describe('BulkIndexer back-pressure and shutdown', () => {
  it('holds add back while concurrency requests are in flight and the next batch is full', async () => {
    const { transport, calls } = gated();
    const indexer = new BulkIndexer(transport, { ...fast, concurrency: 1, maxDocs: 2 });
    const noop = () => {};
    await indexer.add(op(1), noop);
    await indexer.add(op(2), noop); // batch full, slot free: sent
    await indexer.add(op(3), noop); // batch not full yet
    let resolved = false;
    const waiting = indexer.add(op(4), noop);
    assert.ok(waiting instanceof Promise, 'the next batch is full and no slot is free: add returns what to wait for');
    void waiting.then(() => { resolved = true; });
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(resolved, false);
    assert.equal(calls.length, 1);
    calls[0]?.release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(resolved, true);
    assert.equal(calls.length, 2);
    calls[1]?.release();
    await indexer.close();
  });

  it('flush waits for requests in flight', async () => {
    const { transport, calls } = gated();
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, fast);
    await indexer.add(op(1), seen.of);
    let flushed = false;
    const flushing = indexer.flush().then(() => { flushed = true; });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(flushed, false);
    calls[0]?.release();
    await flushing;
    assert.deepEqual(seen.only('id-1'), { status: 'created' });
  });

  it('on abort, fails buffered ops and ops pausing before a retry at once', { timeout: 5000 }, async () => {
    const controller = new AbortController();
    const { transport, bodies } = scripted(refused(503));
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, {
      backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.9, maxDocs: 1, signal: controller.signal,
    });
    await indexer.add(op(1), seen.of); // sent, 503, now pausing ~54 s
    await indexer.add(op(2), seen.of); // sent concurrently: created
    await tick();
    const start = performance.now();
    controller.abort();
    await indexer.add(op(3), seen.of);
    await indexer.close();
    const waited = performance.now() - start;
    assert.ok(waited < 1000, `close took ${waited} ms`);
    assert.equal(bodies.length, 2);
    assert.deepEqual(seen.only('id-1'), { status: 'failed', error: 'OpenSearch answered the _bulk request with HTTP 503 (e: http 503) (gave up: bulk indexer aborted)' });
    assert.deepEqual(seen.only('id-2'), { status: 'created' });
    assert.equal(seen.only('id-3').status, 'failed');
  });

  it('fails every add at once when the signal had aborted before construction', async () => {
    const { transport, bodies } = scripted();
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, { ...fast, signal: AbortSignal.abort() });
    await indexer.add(op(1), seen.of);
    await indexer.close();
    assert.equal(bodies.length, 0);
    assert.deepEqual(seen.only('id-1'), { status: 'failed', error: 'bulk indexer aborted: document not sent' });
  });

  it('rejects nonsense limits when constructed', () => {
    assert.throws(() => new BulkIndexer(scripted().transport, { maxDocs: 0 }), RangeError);
    assert.throws(() => new BulkIndexer(scripted().transport, { concurrency: 1.5 }), RangeError);
  });
});
