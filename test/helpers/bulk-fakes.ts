/**
 * Fakes for unit tests of the bulk indexer: operations, `_bulk` answers, and transports that
 * record bodies and answer from a script (or hold requests open until released).
 */
import assert from 'node:assert/strict';
import { BulkIndexer, type BulkHttpResponse, type BulkIndexerOptions, type BulkTransport } from '../../src/sink/bulk-indexer.js';
import { serializeOp } from '../../src/sink/bulk-body.js';
import type { IndexOp, ItemOutcome } from '../../src/core/types.js';

/** Operation number n (id `id-<n>`). */
export const op = (n: number, doc: Record<string, unknown> = { n }): IndexOp => ({ index: 'logs-2024.01.02', id: `id-${n}`, doc });
export const ops = (count: number, from = 0): IndexOp[] => Array.from({ length: count }, (_, i) => op(from + i));
/** The body the indexer sends for `list`, as text. */
export const bodyOf = (list: IndexOp[]): string => list.map(serializeOp).join('');
export const idsIn = (body: string): string[] =>
  body.split('\n').filter((_, i) => i % 2 === 0 && _ !== '').map((line) => (JSON.parse(line) as { create: { _id: string } }).create._id);

export type ItemSpec = number | [status: number, type: string, reason: string];
export const itemsResponse = (specs: ItemSpec[]): BulkHttpResponse => ({
  statusCode: 200,
  body: {
    errors: specs.some((s) => typeof s !== 'number' || s >= 300),
    items: specs.map((s) => {
      const [status, type, reason] = typeof s === 'number' ? [s] : s;
      return { create: { _index: 'logs-2024.01.02', _id: 'x', status, ...(type ? { error: { type, reason } } : {}) } };
    }),
  },
});
/** Every item of the body created. */
export const allCreated = (body: string): BulkHttpResponse => itemsResponse(idsIn(body).map(() => 201));
export const refused = (statusCode: number): BulkHttpResponse => ({ statusCode, body: { error: { type: 'e', reason: `http ${statusCode}` }, status: statusCode } });
export const connRefused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { code: 'ECONNREFUSED' });

export type Answer = BulkHttpResponse | Error | ((body: string) => BulkHttpResponse | Error);

/** A transport that records bodies (as text) and answers from a script, then "all created". */
export function scripted(...answers: Answer[]): { transport: BulkTransport; bodies: string[] } {
  const bodies: string[] = [];
  const transport: BulkTransport = async (bytes) => {
    const body = bytes.toString('utf8');
    bodies.push(body);
    const next = answers.shift() ?? allCreated;
    const answer = typeof next === 'function' ? next(body) : next;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { transport, bodies };
}

/** A transport whose requests stay open until the test releases them. */
export function gated(): { transport: BulkTransport; calls: Array<{ body: string; release: () => void }> } {
  const calls: Array<{ body: string; release: () => void }> = [];
  const transport: BulkTransport = (bytes) => {
    const body = bytes.toString('utf8');
    return new Promise((resolve) => calls.push({ body, release: () => resolve(allCreated(body)) }));
  };
  return { transport, calls };
}

/** Records every outcome per id, so "exactly once" can be checked. */
export function outcomes() {
  const byId = new Map<string, ItemOutcome[]>();
  return {
    byId,
    /**
     * The one callback a producer gives for all its operations: each outcome is filed under the
     * operation the indexer hands back with it, so handing back another shows as a missing outcome.
     */
    of: (outcome: ItemOutcome, given: IndexOp) => byId.set(given.id, [...(byId.get(given.id) ?? []), outcome]),
    only(id: string): ItemOutcome {
      const list = byId.get(id) ?? [];
      assert.equal(list.length, 1, `${id} got ${list.length} outcomes`);
      return list[0] as ItemOutcome;
    },
  };
}

/** Retries after a few milliseconds. */
export const fast: BulkIndexerOptions = { backoff: { baseMs: 1, maxMs: 5 } };

/** Adds the operations one by one, closes, and returns their outcomes and the totals. */
export async function run(transport: BulkTransport, list: IndexOp[], options: BulkIndexerOptions = {}) {
  const seen = outcomes();
  const indexer = new BulkIndexer(transport, { ...fast, ...options });
  for (const o of list) await indexer.add(o, seen.of);
  await indexer.close();
  return { seen, stats: indexer.stats };
}

