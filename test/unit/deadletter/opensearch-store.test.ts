import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchDeadLetters } from '../../../src/deadletter/opensearch-store.js';
import type { DeadLetter } from '../../../src/deadletter/types.js';

type Answer = { status: number } | { items: Array<{ index: { status: number; error?: { type: string; reason: string } } }> };

/** A client whose `_bulk` answers come from `answers` in turn (the last one repeats); the bodies it got are kept. */
function clientAnswering(...answers: Answer[]): { client: Client; bodies: string[] } {
  const bodies: string[] = [];
  const request = async ({ bulkBody }: { bulkBody: string }) => {
    bodies.push(bulkBody);
    const answer = answers[Math.min(bodies.length - 1, answers.length - 1)] as Answer;
    if ('status' in answer) throw Object.assign(new Error(`HTTP ${answer.status}`), { statusCode: answer.status });
    return { body: { errors: answer.items.some((i) => i.index.error), items: answer.items } };
  };
  return { client: { transport: { request } } as unknown as Client, bodies };
}

const letter = (lineNo: number, size = 0): DeadLetter => ({ kind: 'line', reason: 'r', bucket: 'b', key: 'k', lineNo, line: 'x'.repeat(size) });
const ok = { items: [{ index: { status: 201 } }] };
const fast = { backoff: { baseMs: 1, maxMs: 1 } };

describe('OpenSearchDeadLetters', () => {
  it('resends a body OpenSearch answered 429 or 503 to, until it is stored', async () => {
    const { client, bodies } = clientAnswering({ status: 429 }, { status: 503 }, ok);
    await new OpenSearchDeadLetters(client, 'dl', fast).record([letter(1)]);
    assert.equal(bodies.length, 3);
    assert.equal(new Set(bodies).size, 1, 'the same body each time');
  });
  it('resends when items were refused with 429, and gives up after its retries', async () => {
    const throttled = { items: [{ index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } }] };
    const { client, bodies } = clientAnswering(throttled);
    await assert.rejects(new OpenSearchDeadLetters(client, 'dl', { ...fast, maxRetries: 2 }).record([letter(1)]), /es_rejected_execution_exception/);
    assert.equal(bodies.length, 3);
  });
  it('does not resend a refusal no wait can mend', async () => {
    const { client, bodies } = clientAnswering({ status: 400 });
    await assert.rejects(new OpenSearchDeadLetters(client, 'dl', fast).record([letter(1)]), /HTTP 400/);
    assert.equal(bodies.length, 1);
  });
  it('splits letters into bodies of at most maxBytes, a larger letter alone', async () => {
    const { client, bodies } = clientAnswering(ok);
    await new OpenSearchDeadLetters(client, 'dl', { maxBytes: 1000 }).record([letter(1, 300), letter(2, 300), letter(3, 2000), letter(4, 10)]);
    assert.equal(bodies.length, 3);
    assert.ok(bodies.every((b, i) => i === 1 || Buffer.byteLength(b) <= 1000), bodies.map((b) => b.length).join(','));
    assert.equal(bodies.join('').split('\n').filter(Boolean).length, 8, 'every letter sent once');
  });
});
