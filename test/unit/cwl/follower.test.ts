import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeadLetter } from '../../../src/deadletter/types.js';
import { follow, type FollowerDeps } from '../../../src/cwl/follower.js';
import { streamDocId, type CheckpointStore, type StreamKey, type StreamState } from '../../../src/cwl/checkpoints.js';
import { cwlEventDocId } from '../../../src/formats/cwl/events.js';
import { DEFAULT_FORMAT } from '../../../src/formats/vpc-flow/parse.js';
import { createLogger } from '../../../src/observability/logger.js';
import type { OpSink } from '../../../src/pipeline/process-object.js';
import type { LogsReader } from '../../../src/source/cloudwatch-logs.js';
import type { IndexOp, ItemOutcome, LogEvent } from '../../../src/core/types.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';

/**
 * The follower's delivery of a page of events, with the reader, the checkpoint store and the sink
 * faked (the integration tests run it against the emulator and OpenSearch, where OpenSearch
 * rejects nothing and fails nothing on purpose): a rejected document becomes a dead letter of its
 * own operation, and a failed one keeps the checkpoint where it was, so the page is read again.
 */

const GROUP = '/vpc/flow';
const STREAM = 'eni-1-all';
const line = (n: number) => `2 123456789012 eni-1 10.0.0.${n} 10.0.0.9 4${n} 443 6 1 40 1700000000 1700000060 ACCEPT OK`;
const EVENTS: LogEvent[] = [1, 2, 3].map((n) => ({ id: `e${n}`, timestamp: 1700000000000 + n, message: line(n) }));

/** A store that holds one process's checkpoints in memory, as the OpenSearch one would for a lone follower. */
function memoryStore(): CheckpointStore & { saved: StreamState[] } {
  const states = new Map<string, StreamState>();
  const saved: StreamState[] = [];
  const store = {
    owner: 'me',
    saved,
    ensureIndex: async () => undefined,
    heartbeat: async () => 1,
    states: async (keys: readonly StreamKey[]) => new Map(keys.flatMap((k) => { const s = states.get(streamDocId(k)); return s ? [[streamDocId(k), s] as const] : []; })),
    claimable: (state: StreamState | undefined) => state === undefined || state.owner === undefined,
    claim: async (key: StreamKey) => {
      const state: StreamState = { ...key, id: streamDocId(key), seqNo: 0, primaryTerm: 1, owner: 'me', leaseUntil: Date.now() + 60_000 };
      states.set(state.id, state);
      return state;
    },
    save: async (held: StreamState, position: StreamState['position'], readToEndAt: number | undefined) => {
      const state: StreamState = { ...held, position, readToEndAt, seqNo: held.seqNo + 1 };
      states.set(state.id, state);
      saved.push(state);
      return state;
    },
    release: async (held: StreamState) => void states.set(held.id, { ...held, owner: undefined }),
    leave: async () => undefined,
  };
  return store as unknown as CheckpointStore & { saved: StreamState[] };
}

/** One group, one stream, its events in one page each time it is read. */
function reader(reads: number[]): LogsReader {
  return {
    groupsWithPrefix: async () => [GROUP],
    streams: async () => [STREAM],
    async *events(_group: string, _stream: string, startTime: number) {
      reads.push(startTime);
      yield EVENTS.filter((e) => e.timestamp >= startTime);
    },
  } as unknown as LogsReader;
}

/** A sink that answers each document a moment later, by `answer`, the operation handed back as the bulk indexer does. */
function sink(answer: (op: IndexOp, round: number) => ItemOutcome, rounds: { n: number }): OpSink {
  return {
    add: (op, onOutcome) => {
      const outcome = answer(op, rounds.n);
      setTimeout(() => onOutcome(outcome, op), 2);
      return undefined;
    },
    producing: () => () => undefined,
  };
}

function deps(over: Partial<FollowerDeps>, logs: Record<string, unknown>[]): FollowerDeps {
  return {
    reader: reader([]),
    store: memoryStore(),
    sink: sink(() => ({ status: 'created' }), { n: 0 }),
    deadLetters: { record: async () => undefined },
    read: { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', formatOf: () => DEFAULT_FORMAT },
    selectors: [{ text: GROUP, prefix: false }] as FollowerDeps['selectors'],
    pollMs: 1,
    logger: createLogger('warn', 'test', { write: (s: string) => logs.push(JSON.parse(s) as Record<string, unknown>) }),
    signal: new AbortController().signal,
    ...over,
  };
}

describe('follow: the outcomes of a page of events', () => {
  it('dead-letters a rejected document as its own operation, and passes the checkpoint', async () => {
    const letters: DeadLetter[] = [];
    const store = memoryStore();
    const rejectedId = cwlEventDocId(GROUP, STREAM, 'e2');
    const stats = await follow(deps({
      store,
      sink: sink((op) => (op.id === rejectedId ? { status: 'rejected', error: 'mapper_parsing_exception: no' } : { status: 'created' }), { n: 0 }),
      deadLetters: { record: async (l) => void letters.push(...l) },
    }, []), true);
    assert.equal(letters.length, 1);
    const [letter] = letters as [DeadLetter & { document?: string; id?: string; index?: string }];
    assert.deepEqual({ kind: letter.kind, reason: letter.reason, key: (letter as { key?: string }).key, id: letter.id, index: letter.index }, {
      kind: 'document', reason: 'mapper_parsing_exception: no', key: `${GROUP}/${STREAM}`, id: rejectedId, index: 'vpcflowlogs-2023.11.14',
    });
    assert.equal((JSON.parse(letter.document as string) as { srcaddr: string }).srcaddr, '10.0.0.2', 'the rejected event\'s own document');
    assert.deepEqual({ created: stats.created, deadLetters: stats.deadLetters, events: stats.events }, { created: 2, deadLetters: 1, events: 3 });
    assert.equal(store.saved[0]?.position?.timestamp, EVENTS[2]?.timestamp, 'the checkpoint passed all three');
  });

  it('keeps the checkpoint when a document failed, and reads the page again next round', async () => {
    const rounds = { n: 0 };
    const reads: number[] = [];
    const logs: Record<string, unknown>[] = [];
    const store = memoryStore();
    const failedId = cwlEventDocId(GROUP, STREAM, 'e3');
    const answering = sink((op, round) => (op.id === failedId && round === 0 ? { status: 'failed', error: 'es_rejected_execution_exception' } : { status: 'created' }), rounds);
    const stats = await follow(deps({
      store, reader: reader(reads),
      sink: { ...answering, add: (op, onOutcome) => answering.add(op, (outcome, given) => { onOutcome(outcome, given); if (given.id === failedId) rounds.n += 1; }) },
    }, logs), true);
    assert.deepEqual(logs.map((l) => [l['msg'], l['failed']]), [['documents not indexed; the events are read again next round', 1]]);
    assert.equal(reads.length, 2, 'read again');
    assert.equal(reads[1], reads[0], 'from the same checkpoint');
    assert.deepEqual({ created: stats.created, events: stats.events, deadLetters: stats.deadLetters }, { created: 5, events: 3, deadLetters: 0 });
  });
});
