import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopEnricher } from '../../../../src/enrich/geoip.js';
import { cwlEventsBatch, cwlItemsReader, type CwlEventItem, type CwlParser } from '../../../../src/formats/cwl/events.js';
import { CwlEnvelopeError, readCwlEnvelopes } from '../../../../src/formats/cwl/envelope.js';
import { DEFAULT_FORMAT, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { headerlessFormat } from '../../../../src/formats/vpc-flow/headerless.js';
import type { OpBatch } from '../../../../src/core/records.js';

const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const ctx = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', formatOf: () => DEFAULT_FORMAT };

interface Event {
  readonly id: string | number;
  readonly message: string;
  readonly timestamp?: number;
}

/** A DATA_MESSAGE envelope as CloudWatch Logs writes it. */
function data(group: string, stream: string, events: readonly Event[]): Record<string, unknown> {
  return {
    messageType: 'DATA_MESSAGE', owner: '123456789010', logGroup: group, logStream: stream, subscriptionFilters: ['to-firehose'],
    logEvents: events.map((e) => ({ id: e.id, timestamp: e.timestamp ?? 1418530010000, message: e.message })),
  };
}

const CONTROL = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] };

async function* chunks(...parts: Array<string | Error>): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (part instanceof Error) throw part;
    yield Buffer.from(part, 'utf8');
  }
}

/** Every batch read, and the error reading ended with. */
async function readAll(source: AsyncIterable<Buffer>): Promise<{ readonly batches: OpBatch[]; readonly error?: unknown }> {
  const batches: OpBatch[] = [];
  try {
    for await (const batch of readCwlEnvelopes(source, ctx)) batches.push(batch);
  } catch (error) {
    return { batches, error };
  }
  return { batches };
}

const text = (...values: unknown[]): string => values.map((v) => JSON.stringify(v)).join('');

describe('readCwlEnvelopes', () => {
  it('gives each DATA_MESSAGE the batch cwlEventsBatch makes, numbering events across envelopes, and skips CONTROL_MESSAGEs', async () => {
    const first = data('/vpc/a', 's1', [{ id: '11', message: LINE }, { id: '12', message: 'not a line' }]);
    const second = data('/vpc/b', 's2', [{ id: 13, message: 'bad too' }]);
    const { batches, error } = await readAll(chunks(text(CONTROL, first, CONTROL, second)));
    assert.equal(error, undefined);
    assert.deepEqual(batches, [
      cwlEventsBatch('/vpc/a', 's1', [{ id: '11', timestamp: 1418530010000, message: LINE }, { id: '12', timestamp: 1418530010000, message: 'not a line' }], ctx, 1),
      cwlEventsBatch('/vpc/b', 's2', [{ id: '13', timestamp: 1418530010000, message: 'bad too' }], ctx, 3),
    ]);
    assert.deepEqual(batches.flatMap((b) => b.problems.map((p) => p.lineNo)), [2, 3]);
    assert.equal(batches[1]?.problems[0]?.reason, '/vpc/b s2 event 13: expected 14 fields (per the format), got 2');
  });

  it('makes a malformed envelope one problem, naming the envelope and keeping its JSON, and counts it as one event', async () => {
    const cases: Array<[unknown, string]> = [
      [5, 'not a JSON object'],
      [null, 'not a JSON object'],
      [[CONTROL], 'not a JSON object'],
      ['DATA_MESSAGE', 'not a JSON object'],
      [{ logGroup: 'g', logStream: 's', logEvents: [] }, 'messageType undefined is neither DATA_MESSAGE nor CONTROL_MESSAGE'],
      [{ messageType: 'data_message' }, 'messageType "data_message" is neither DATA_MESSAGE nor CONTROL_MESSAGE'],
      [{ messageType: 'DATA_MESSAGE', logStream: 's', logEvents: [] }, 'DATA_MESSAGE without logGroup or logStream'],
      [{ messageType: 'DATA_MESSAGE', logGroup: 'g', logEvents: [] }, 'DATA_MESSAGE without logGroup or logStream'],
      [{ messageType: 'DATA_MESSAGE', logGroup: 5, logStream: 's', logEvents: [] }, 'DATA_MESSAGE without logGroup or logStream'],
      [{ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's' }, 'DATA_MESSAGE without a logEvents array'],
      [{ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', logEvents: { id: '1' } }, 'DATA_MESSAGE without a logEvents array'],
    ];
    const lacks = (i: number): string => `logEvents[${i}] lacks a string id, a numeric timestamp or a string message`;
    const good = { id: '1', timestamp: 1, message: LINE };
    for (const [i, event] of [{ timestamp: 1, message: LINE }, { id: true, timestamp: 1, message: LINE }, { id: '1', timestamp: '1', message: LINE }, { id: '1', message: LINE }, { id: '1', timestamp: 1, message: 5 }, { id: '1', timestamp: 1 }, null].entries()) {
      cases.push([{ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', logEvents: [good, event] }, lacks(1)]);
      if (i === 0) cases.push([{ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', logEvents: [event, good] }, lacks(0)]);
    }
    for (const [value, reason] of cases) {
      const { batches, error } = await readAll(chunks(text(CONTROL, value, data('/vpc/a', 's', [{ id: '9', message: 'x' }]))));
      assert.equal(error, undefined);
      assert.deepEqual(batches[0], { ops: [], problems: [{ lineNo: 1, reason: `envelope 2: ${reason}`, text: JSON.stringify(value) }] }, reason);
      assert.deepEqual(batches[1]?.problems.map((p) => p.lineNo), [2], 'the next event is the second');
    }
  });

  it('takes numeric event ids as their digits, and empty groups and streams as names', async () => {
    const { batches } = await readAll(chunks(text(data('', '', [{ id: 123, message: LINE }]))));
    assert.deepEqual(batches, [cwlEventsBatch('', '', [{ id: '123', timestamp: 1418530010000, message: LINE }], ctx, 1)]);
  });

  it('reads envelopes split anywhere across chunks, multi-byte characters, escapes and brackets in strings included', async () => {
    const object = text(data('/vpc/ü', 's', [{ id: '1', message: LINE }]), CONTROL, data('/vpc/山', 's"}]\\\\', [{ id: '2', message: LINE }]));
    const bytes = Buffer.from(object, 'utf8');
    const whole = await readAll(chunks(object));
    for (const size of [1, 5, 64]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      async function* source(): AsyncGenerator<Buffer> {
        yield* pieces;
      }
      assert.deepEqual(await readAll(source()), whole, `chunks of ${size}`);
    }
    assert.equal(whole.batches.length, 2);
    assert.equal(whole.error, undefined);
  });

  it('reads nothing from an empty object or from whitespace', async () => {
    assert.deepEqual(await readAll(chunks()), { batches: [] });
    assert.deepEqual(await readAll(chunks(' \n', '')), { batches: [] });
  });
});

describe('readCwlEnvelopes on broken objects', () => {
  const envelope = (id: string): Record<string, unknown> => data('/vpc/a', 's', [{ id, message: LINE }]);

  it('hands out every envelope before broken JSON, in the same chunk too, then fails naming the last envelope read and the bytes', async () => {
    const before = text(envelope('1'), envelope('2'));
    const at = Buffer.byteLength(before);
    for (const parts of [[before, '{"messageType" x}', text(envelope('3'))], [`${before}{"messageType" x}${text(envelope('3'))}`]]) {
      const { batches, error } = await readAll(chunks(...parts));
      assert.deepEqual(batches.map((b) => b.ops.length), [1, 1]);
      assert.ok(error instanceof CwlEnvelopeError);
      assert.equal(error.name, 'CwlEnvelopeError');
      assert.match(error.message, new RegExp(`^not CloudWatch Logs envelopes after envelope 2: invalid JSON: .+ at its character 15 \\(within bytes ${at}–${at + 17} of the object\\)$`));
    }
  });

  it('names a byte that starts no JSON value between envelopes', async () => {
    const before = text(envelope('1'));
    const { batches, error } = await readAll(chunks(before, ' ]'));
    assert.deepEqual(batches.map((b) => b.ops.length), [1]);
    assert.equal((error as Error).message, `not CloudWatch Logs envelopes after envelope 1: invalid JSON: unexpected ']' where a value was expected (at byte ${Buffer.byteLength(before) + 1} of the object)`);
  });

  it('hands out every whole envelope of a truncated object before failing, naming where the cut one started', async () => {
    const before = text(envelope('1'), envelope('2'));
    const cut = '{"messageType":"DATA_MESSAGE","logEvents":[';
    const { batches, error } = await readAll(chunks(before + cut));
    assert.deepEqual(batches.map((b) => b.ops.length), [1, 1]);
    assert.ok(error instanceof CwlEnvelopeError);
    const at = Buffer.byteLength(before);
    assert.equal(error.message, `not CloudWatch Logs envelopes after envelope 2: the object ends inside an envelope (truncated?) (within bytes ${at}–${at + cut.length} of the object)`);
  });

  it('reads a number or word the object ends with as a value, and reports it as no envelope', async () => {
    const { batches, error } = await readAll(chunks(text(envelope('1')), ' 12'));
    assert.equal(error, undefined);
    assert.deepEqual(batches.map((b) => [b.ops.length, b.problems.map((p) => p.reason)]), [[1, []], [0, ['envelope 2: not a JSON object']]]);
    assert.match(String((await readAll(chunks(text(envelope('1')), ' tru'))).error), /^CwlEnvelopeError: not CloudWatch Logs envelopes after envelope 1: invalid JSON: .+ \(within bytes \d+–\d+ of the object\)$/);
  });

  it('fails with the byte source\'s own error, after the envelopes read before it', async () => {
    const reset = new Error('socket reset');
    const { batches, error } = await readAll(chunks(text(envelope('1')), reset));
    assert.deepEqual(batches.map((b) => b.ops.length), [1]);
    assert.equal(error, reset);
  });
});

/**
 * A stand-in for the parse threads' CwlParser that holds events as the pool does: it reads them
 * with `cwlItemsReader`, here, in tasks of `size` events gathered across the reader's batches,
 * holding `ahead` tasks before it gives the first back; when reading fails, it gives back what it
 * holds, then fails (as the pool does).
 */
function holdingCwlParser(size: number, ahead: number): CwlParser {
  return async function* (parseCtx, batches) {
    const read = cwlItemsReader(parseCtx);
    const tasks: CwlEventItem[][] = [];
    let gathered: CwlEventItem[] = [];
    let failure: { error: unknown } | undefined;
    try {
      for await (const items of batches) {
        gathered.push(...items);
        if (gathered.length < size) continue;
        tasks.push(gathered);
        gathered = [];
        if (tasks.length > ahead) yield read(tasks.shift() as CwlEventItem[]);
      }
    } catch (error) {
      failure = { error };
    }
    if (gathered.length > 0) tasks.push(gathered);
    for (const task of tasks) yield read(task);
    if (failure) throw failure.error;
  };
}

describe('readCwlEnvelopes with a parser elsewhere', () => {
  const short = headerlessFormat('${version} ${srcaddr} ${start} ${log-status}') as FlowFormat;
  const shortCtx = { ...ctx, formatOf: (group: string) => (group === '/vpc/short' ? short : DEFAULT_FORMAT) };
  const events = (from: number, n: number, bad: number) =>
    Array.from({ length: n }, (_, i) => ({ id: String(from + i), message: (from + i) % bad === 0 ? 'not a record' : LINE.replace('20641', String(from + i)) }));
  /** Envelopes of two groups in two formats, several streams, bad events, envelopes that are no DATA_MESSAGE. */
  const object = text(
    data('/vpc/a', 's1', events(1, 7, 5)), CONTROL, data('/vpc/a', 's1', events(8, 4, 5)), data('/vpc/a', 's2', events(12, 3, 7)),
    { messageType: 'DATA_MESSAGE', logStream: 'x', logEvents: [] },
    data('/vpc/short', 's2', [{ id: 'a', message: '2 81.2.69.142 1418530010 OK' }, { id: 'b', message: LINE }, { id: 'c', message: '2 - 1418530010 NODATA' }]),
    data('/vpc/a', 's2', events(20, 6, 4)),
  );

  /** What the batches said, problems in ordinal order (elsewhere, a problem goes with the next batch given back). */
  async function readWith(parser: CwlParser | undefined, source: AsyncIterable<Buffer>) {
    const batches: OpBatch[] = [];
    let error: unknown;
    try {
      for await (const batch of readCwlEnvelopes(source, { ...shortCtx, parser })) batches.push(batch);
    } catch (err) {
      error = err;
    }
    return {
      ops: batches.flatMap((b) => b.ops.map((op) => [op.index, op.id, op.json])),
      problems: batches.flatMap((b) => b.problems).sort((a, b) => a.lineNo - b.lineNo),
      statusRecords: batches.reduce((sum, b) => sum + (b.statusRecords ?? 0), 0),
      error: error === undefined ? undefined : String(error),
    };
  }

  it('gives the documents, problems and counts the envelopes give read here, whatever the tasks', async () => {
    const here = await readWith(undefined, chunks(object));
    assert.deepEqual([here.ops.length, here.problems.map((p) => p.lineNo), here.statusRecords], [17, [5, 10, 14, 15, 17, 19, 23], 1]);
    assert.ok(here.ops.some(([, , json]) => /"log":\{"group":"\/vpc\/short","stream":"s2","event_id":"a"\}/.test(json as string)));
    for (const [size, ahead] of [[1, 0], [3, 1], [4, 0], [100, 2]] as const) {
      let given = 0;
      const holding = holdingCwlParser(size, ahead);
      const counted: CwlParser = (parseCtx, batches) => holding(parseCtx, (async function* () {
        for await (const items of batches) {
          given += items.length;
          yield items;
        }
      })());
      assert.deepEqual(await readWith(counted, chunks(object.slice(0, 700), object.slice(700))), here, `tasks of ${size}, ${ahead} ahead`);
      assert.equal(given, 23, 'every event went to the parser');
    }
  });

  it('gives the envelopes before broken JSON, and the problems found among them, then the same failure', async () => {
    const broken = `${object}{"messageType":"DATA_MESSAGE",x}`;
    const here = await readWith(undefined, chunks(broken));
    assert.match(here.error ?? '', /^CwlEnvelopeError: not CloudWatch Logs envelopes after envelope 7: invalid JSON/);
    assert.deepEqual(await readWith(holdingCwlParser(50, 1), chunks(broken)), here);
  });
});

describe('cwlItemsReader', () => {
  it('reads each run of one group, stream, format and consecutive ordinals as cwlEventsBatch reads it, and joins the batches', () => {
    const short = headerlessFormat('${version} ${srcaddr} ${start} ${log-status}') as FlowFormat;
    const event = (id: string, message: string) => ({ id, timestamp: 1418530010000, message });
    const runs: Array<{ group: string; stream: string; format: FlowFormat; first: number; events: ReturnType<typeof event>[] }> = [
      { group: 'a', stream: 's1', format: DEFAULT_FORMAT, first: 1, events: [event('1', LINE), event('2', 'bad')] },
      { group: 'b', stream: 's1', format: DEFAULT_FORMAT, first: 3, events: [event('3', LINE)] },
      { group: 'b', stream: 's2', format: DEFAULT_FORMAT, first: 4, events: [event('4', LINE)] },
      { group: 'b', stream: 's2', format: short, first: 5, events: [event('5', '2 81.2.69.142 1418530010 OK')] },
      { group: 'b', stream: 's2', format: short, first: 7, events: [event('7', 'bad'), event('8', '2 - 1418530010 NODATA')] },
    ];
    const items: CwlEventItem[] = runs.flatMap((r) => r.events.map((e, i) => ({ group: r.group, stream: r.stream, format: r.format, ordinal: r.first + i, event: e })));
    const batches = runs.map((r) => cwlEventsBatch(r.group, r.stream, r.events, { ...ctx, dropStatusRecords: true, formatOf: () => r.format }, r.first));
    const got = cwlItemsReader({ ...ctx, dropStatusRecords: true })(items);
    assert.deepEqual(got.ops.map((op) => [op.index, op.id, op.json]), batches.flatMap((b) => b.ops.map((op) => [op.index, op.id, op.json])));
    assert.deepEqual(got.problems, batches.flatMap((b) => b.problems));
    assert.deepEqual([got.problems.map((p) => p.lineNo), got.statusRecords, got.dropped], [[2, 7], 1, 1]);
  });
});
