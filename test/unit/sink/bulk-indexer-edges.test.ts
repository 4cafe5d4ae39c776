/**
 * The bulk indexer at its edges: a batch that fills maxBytes exactly, a first operation larger
 * than maxBytes, the batch timer measuring age (not idle time), a partial batch sent once its
 * producers have ended (and only then), back-pressure held until the queue is empty, and an abort
 * reaching buffered, queued and 413-split batches at once. (A mutation run showed these untested.)
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { BulkIndexer, type BulkHttpResponse, type BulkTransport } from '../../../src/sink/bulk-indexer.js';
import { serializeOp } from '../../../src/sink/bulk-body.js';
import { OpWriter } from '../../../src/core/bulk-op.js';
import type { IndexOp } from '../../../src/core/types.js';
import { allCreated, fast, gated, idsIn, op, ops, outcomes, refused, run, scripted } from '../../helpers/bulk-fakes.js';

const ABORTED = { status: 'failed', error: 'bulk indexer aborted before sending' };
/** Resolves when the promise has settled, or reports that it has not after a few turns of the event loop. */
const settled = async (promise: Promise<void> | undefined): Promise<boolean> => {
  assert.ok(promise instanceof Promise, 'an add that has to wait returns a promise');
  let done = false;
  void promise.then(() => { done = true; });
  for (let i = 0; i < 5; i++) await tick();
  return done;
};

describe('BulkIndexer batch limits at their edges', () => {
  it('sends a batch as soon as it fills maxBytes exactly, with both ops in it', async () => {
    const { transport, bodies } = scripted();
    const list = ops(3, 10); // id-10..id-12: same line size
    const indexer = new BulkIndexer(transport, { ...fast, maxBytes: 2 * Buffer.byteLength(serializeOp(list[0] as IndexOp)) });
    for (const o of list.slice(0, 2)) await indexer.add(o, () => {});
    assert.deepEqual(bodies.map(idsIn), [['id-10', 'id-11']], 'sent before any flush, with no third op to push it out');
    await indexer.add(list[2] as IndexOp, () => {});
    await indexer.close();
    assert.deepEqual(bodies.map(idsIn), [['id-10', 'id-11'], ['id-12']]);
  });

  it('sends a first op larger than maxBytes alone, with no empty request before it', async () => {
    const { transport, bodies } = scripted();
    const indexer = new BulkIndexer(transport, { ...fast, maxBytes: 10 });
    await indexer.add(op(1), () => {});
    await indexer.add(op(2), () => {});
    await indexer.close();
    assert.deepEqual(bodies.map(idsIn), [['id-1'], ['id-2']]);
    assert.equal(indexer.stats.requests, 2);
  });

  it('sends a partial batch flushIntervalMs after its first op, however many follow', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { transport, bodies } = scripted();
    const indexer = new BulkIndexer(transport, { ...fast, flushIntervalMs: 50 });
    await indexer.add(op(1), () => {});
    t.mock.timers.tick(30);
    await indexer.add(op(2), () => {});
    t.mock.timers.tick(19);
    assert.deepEqual(bodies, []);
    t.mock.timers.tick(1);
    assert.deepEqual(bodies.map(idsIn), [['id-1', 'id-2']], '50 ms after the first op, not after the last');
    t.mock.timers.tick(10);
    await indexer.add(op(3), () => {});
    t.mock.timers.tick(49);
    assert.equal(bodies.length, 1, 'the next batch has its own 50 ms');
    t.mock.timers.tick(1);
    assert.deepEqual(bodies.map(idsIn), [['id-1', 'id-2'], ['id-3']]);
    await indexer.close();
  });
});

describe('BulkIndexer and its producers', () => {
  const slow = { ...fast, flushIntervalMs: 60_000 };

  it('sends a partial batch as soon as its last producer ends with a slot free, not at its timer', async () => {
    const { transport, bodies } = scripted();
    const indexer = new BulkIndexer(transport, slow);
    const a = indexer.producing();
    const b = indexer.producing();
    await indexer.add(op(1), () => {});
    a();
    await indexer.add(op(2), () => {});
    await tick();
    assert.deepEqual(bodies, [], 'another producer may still fill it');
    b();
    await tick();
    assert.deepEqual(bodies.map(idsIn), [['id-1', 'id-2']]);
    b();
    a();
    assert.equal(bodies.length, 1, 'ending again sends nothing more');
    const c = indexer.producing();
    const d = indexer.producing();
    await indexer.add(op(3), () => {});
    c();
    await tick();
    assert.equal(bodies.length, 1, 'ending again counted no producer twice: d is still adding');
    d();
    await tick();
    assert.deepEqual(bodies.map(idsIn), [['id-1', 'id-2'], ['id-3']]);
    await indexer.close();
  });

  it('with every slot busy, sends the partial batch the moment one frees', async () => {
    const { transport, calls } = gated();
    const indexer = new BulkIndexer(transport, { ...slow, concurrency: 1, maxDocs: 2 });
    const end = indexer.producing();
    await indexer.add(op(1), () => {});
    await indexer.add(op(2), () => {}); // a full batch: in flight
    await indexer.add(op(3), () => {});
    end();
    await tick();
    assert.deepEqual(calls.map((c) => idsIn(c.body)), [['id-1', 'id-2']], 'no slot for it yet');
    calls[0]?.release();
    for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
    assert.deepEqual(calls.map((c) => idsIn(c.body)), [['id-1', 'id-2'], ['id-3']]);
    calls[1]?.release();
    await indexer.close();
  });

  it('sends no empty request when the last producer added nothing, nor while a new one adds', async () => {
    const { transport, bodies } = scripted();
    const indexer = new BulkIndexer(transport, slow);
    indexer.producing()();
    await tick();
    assert.deepEqual(bodies, []);
    const end = indexer.producing();
    await indexer.add(op(1), () => {});
    await tick();
    assert.deepEqual(bodies, [], 'a producer is adding');
    end();
    await tick();
    assert.deepEqual(bodies.map(idsIn), [['id-1']]);
    await indexer.close();
  });

  it('holds the partial batch again when a producer starts before a slot frees', async () => {
    const { transport, calls } = gated();
    const indexer = new BulkIndexer(transport, { ...slow, concurrency: 1, maxDocs: 3 });
    const end = indexer.producing();
    for (const n of [1, 2, 3, 4]) await indexer.add(op(n), () => {});
    end(); // no slot: the batch would go when one frees
    const again = indexer.producing();
    await indexer.add(op(5), () => {});
    calls[0]?.release();
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(calls.length, 1, 'a producer is adding again');
    again();
    for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
    assert.deepEqual(calls.map((c) => idsIn(c.body)), [['id-1', 'id-2', 'id-3'], ['id-4', 'id-5']]);
    calls[1]?.release();
    await indexer.close();
  });

  it('once the partial batch went at its last producer\'s end, the next waits for its timer again', async () => {
    const { transport, calls } = gated();
    const indexer = new BulkIndexer(transport, { ...slow, concurrency: 2, maxDocs: 2 });
    const end = indexer.producing();
    await indexer.add(op(1), () => {});
    end(); // a slot is free: it goes at once
    for (let i = 0; i < 5 && calls.length < 1; i++) await tick();
    await indexer.add(op(2), () => {}); // added by a producer that never says so
    calls[0]?.release();
    for (let i = 0; i < 5; i++) await tick();
    assert.deepEqual(calls.map((c) => idsIn(c.body)), [['id-1']], 'a freed slot sends no partial batch no producer has ended');
    const closed = indexer.close();
    for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
    calls[1]?.release();
    await closed;
    assert.deepEqual(calls.map((c) => idsIn(c.body)), [['id-1'], ['id-2']]);
  });

  it('leaves a partial batch to its timer when its producers never say so, however requests end', async () => {
    const { transport, calls } = gated();
    const indexer = new BulkIndexer(transport, { ...slow, concurrency: 1, maxDocs: 2 });
    for (const n of [1, 2, 3]) await indexer.add(op(n), () => {});
    calls[0]?.release();
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(calls.length, 1);
    const closed = indexer.close();
    for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
    calls[1]?.release();
    await closed;
    assert.deepEqual(calls.map((c) => idsIn(c.body)), [['id-1', 'id-2'], ['id-3']]);
  });
});

describe('BulkIndexer back-pressure', () => {
  it('holds add back until no full batch waits for a slot', async () => {
    const { transport, calls } = gated();
    const indexer = new BulkIndexer(transport, { ...fast, concurrency: 1, maxDocs: 1 });
    assert.equal(indexer.add(op(1), () => {}), undefined, 'in flight at once: nothing to wait for');
    const second = indexer.add(op(2), () => {}); // waits for the slot
    const third = indexer.add(op(3), () => {}); // waits behind it
    assert.ok(second instanceof Promise && third instanceof Promise, 'a full batch waits for the slot: the adder waits');
    assert.equal(await settled(second), false);
    calls[0]?.release(); // op 2 goes out, op 3 still waits
    assert.equal(await settled(second), false);
    assert.equal(calls.length, 2);
    calls[1]?.release(); // op 3 goes out: the queue is empty
    assert.equal(await settled(second), true);
    assert.equal(await settled(third), true);
    calls[2]?.release();
    await indexer.close();
  });
});

describe('BulkIndexer bodies', () => {
  it('leaves a body untouched until its request is answered, then writes a later one into its memory', async () => {
    const lent: Array<{ bytes: Buffer; text: string; release: () => void }> = [];
    const transport: BulkTransport = (bytes) =>
      new Promise((resolve) => {
        const text = bytes.toString('utf8');
        lent.push({ bytes, text, release: () => resolve(allCreated(text)) });
      });
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, { ...fast, concurrency: 2, maxDocs: 1 });
    const adding = (async () => {
      for (const o of ops(3)) await indexer.add(o, seen.of);
    })();
    while (lent.length < 2) await tick();
    const [first, second] = lent as [(typeof lent)[0], (typeof lent)[0]];
    assert.notEqual(second.bytes.buffer, first.bytes.buffer);
    first.release();
    while (lent.length < 3) await tick();
    const third = lent[2] as (typeof lent)[0];
    assert.equal(third.bytes.buffer, first.bytes.buffer);
    assert.deepEqual([second, third].map((call) => call.bytes.toString('utf8') === call.text), [true, true]);
    second.release();
    third.release();
    await adding;
    await indexer.close();
    assert.deepEqual(lent.map((call) => idsIn(call.text)), [['id-0'], ['id-1'], ['id-2']]);
    for (const id of ['id-0', 'id-1', 'id-2']) assert.deepEqual(seen.only(id), { status: 'created' });
  });
});

describe('BulkIndexer abort', () => {
  it('fails a buffered batch the moment the signal aborts, and wakes waiting producers', async () => {
    const controller = new AbortController();
    const { transport, calls } = gated();
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, { ...fast, concurrency: 1, maxDocs: 1, signal: controller.signal });
    await indexer.add(op(1), seen.of); // in flight
    const waiting = indexer.add(op(2), seen.of); // queued
    const buffered = new BulkIndexer(scripted().transport, { ...fast, flushIntervalMs: 60_000, signal: controller.signal });
    await buffered.add(op(3), seen.of);
    controller.abort();
    assert.deepEqual(seen.only('id-2'), ABORTED);
    assert.deepEqual(seen.only('id-3'), ABORTED);
    assert.equal(await settled(waiting), true);
    calls[0]?.release();
    await indexer.close();
    await buffered.close();
    assert.deepEqual(seen.only('id-1'), { status: 'created' }, 'a request on the wire still reports its answer');
    assert.equal(calls.length, 1);
  });

  it('sends no 413 half after an abort', async () => {
    const controller = new AbortController();
    const bodies: string[] = [];
    let release = (): void => {};
    const transport: BulkTransport = (bytes) => {
      const body = bytes.toString('utf8');
      bodies.push(body);
      if (bodies.length === 1) return Promise.resolve(refused(413));
      return new Promise<BulkHttpResponse>((resolve) => { release = () => resolve(allCreated(body)); });
    };
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, { ...fast, signal: controller.signal });
    for (const o of ops(2)) await indexer.add(o, seen.of);
    const closing = indexer.close();
    await tick();
    assert.deepEqual(bodies.map(idsIn), [['id-0', 'id-1'], ['id-0']]);
    controller.abort();
    release();
    await closing;
    assert.equal(bodies.length, 2);
    assert.deepEqual(seen.only('id-0'), { status: 'created' });
    assert.deepEqual(seen.only('id-1'), ABORTED);
  });

  it('retries as usual under a signal that never aborts', async () => {
    const { transport, bodies } = scripted(refused(503));
    const seen = outcomes();
    const indexer = new BulkIndexer(transport, { ...fast, signal: new AbortController().signal });
    await indexer.add(op(1), seen.of);
    await indexer.close();
    assert.equal(bodies.length, 2);
    assert.deepEqual(seen.only('id-1'), { status: 'created' });
  });

  it('leaves no listener on the signal, after an abort as after a close', async () => {
    const aborted = new AbortController();
    const closed = new AbortController();
    const first = new BulkIndexer(scripted().transport, { ...fast, signal: aborted.signal });
    const second = new BulkIndexer(scripted().transport, { ...fast, signal: closed.signal });
    assert.equal(getEventListeners(aborted.signal, 'abort').length, 1);
    aborted.abort();
    assert.equal(getEventListeners(aborted.signal, 'abort').length, 0);
    await second.close();
    assert.equal(getEventListeners(closed.signal, 'abort').length, 0);
    await first.close();
  });

  it('an abort after close changes nothing: a later add says closed', async () => {
    const controller = new AbortController();
    const seen = outcomes();
    const indexer = new BulkIndexer(scripted().transport, { ...fast, signal: controller.signal });
    await indexer.close();
    controller.abort();
    await indexer.add(op(1), seen.of);
    assert.deepEqual(seen.only('id-1'), { status: 'failed', error: 'bulk indexer closed: document not sent' });
  });
});

describe('BulkIndexer options', () => {
  it('names the option, its minimum and the value it refuses', () => {
    const transport = scripted().transport;
    assert.throws(() => new BulkIndexer(transport, { maxDocs: 0 }), { name: 'RangeError', message: 'bulk indexer option maxDocs must be an integer >= 1, got 0' });
    assert.throws(() => new BulkIndexer(transport, { maxRetries: -1 }), { name: 'RangeError', message: 'bulk indexer option maxRetries must be an integer >= 0, got -1' });
    assert.throws(() => new BulkIndexer(transport, { maxBytes: 1.5 }), { name: 'RangeError', message: 'bulk indexer option maxBytes must be an integer >= 1, got 1.5' });
    assert.doesNotThrow(() => new BulkIndexer(transport, { maxRetries: 0, flushIntervalMs: 0, maxDocs: 1, maxBytes: 1, concurrency: 1 }));
  });

  it('leaves every `_id` out under documentIds: false, from encoded operations too, and keeps their documents', async () => {
    const encoded = new OpWriter().text('logs-2024.01.02', 'id-9', '{"n":9}');
    const { transport, bodies } = scripted();
    const { seen } = await run(transport, [op(1), encoded], { documentIds: false });
    assert.deepEqual(bodies, ['{"create":{"_index":"logs-2024.01.02"}}\n{"n":1}\n{"create":{"_index":"logs-2024.01.02"}}\n{"n":9}\n']);
    assert.deepEqual([seen.only('id-1'), seen.only('id-9')].map((o) => o.status), ['created', 'created']);
  });
});
