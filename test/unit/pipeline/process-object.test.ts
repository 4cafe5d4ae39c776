import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DeadLetter } from '../../../src/deadletter/types.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { createLogger } from '../../../src/observability/logger.js';
import { isAcknowledged, processObject, type ObjectDeps, type OpSink } from '../../../src/pipeline/process-object.js';
import { ItemStatus, type IndexOp, type ItemOutcome } from '../../../src/core/types.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const FLOW_KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.gz';

/** A GetObject body that never ends by itself: only a destroy releases it, as a socket of the SDK's pool. */
function endlessBody(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) this.push(first);
      sent = true;
    },
  });
}

/** An S3 client that answers every GetObject with `body`, remembering the bodies it handed out. */
function s3With(body: () => Readable): { s3: S3Client; bodies: Readable[] } {
  const bodies: Readable[] = [];
  const s3 = { send: async () => ({ Body: (bodies.push(body()), bodies.at(-1)), LastModified: new Date(0) }) } as unknown as S3Client;
  return { s3, bodies };
}

const answering = (status: ItemStatus): OpSink => ({
  add: async (op: IndexOp, onOutcome: (o: ItemOutcome, op: IndexOp) => void) => onOutcome({ status, ...(status === ItemStatus.failed ? { error: 'es_rejected' } : {}) }, op),
  producing: () => () => undefined,
});

function deps(s3: S3Client, sink: OpSink = answering(ItemStatus.created), maxObjectBytes = 1 << 20): ObjectDeps & { letters: DeadLetter[] } {
  const letters: DeadLetter[] = [];
  return {
    letters, s3, sink, logger: createLogger('silent'),
    deadLetters: { record: async (l: readonly DeadLetter[]) => void letters.push(...l) },
    read: { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes },
  };
}

describe('processObject releases every S3 body', () => {
  it('destroys the body of a skipped CloudTrail digest, unread', async () => {
    const { s3, bodies } = s3With(() => endlessBody(gzipSync('{}')));
    const outcome = await processObject({ bucket: 'b', key: 'AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/30/d.json.gz' }, deps(s3));
    assert.equal(outcome.status, 'skipped');
    assert.equal(bodies[0]?.destroyed, true);
  });
  it('destroys the body of a flow log with a bad header', async () => {
    const { s3, bodies } = s3With(() => endlessBody(Buffer.from('1 2 3\n')));
    const outcome = await processObject({ bucket: 'b', key: FLOW_KEY }, deps(s3));
    assert.equal(outcome.status, 'failed');
    assert.equal(bodies[0]?.destroyed, true);
  });
  it('destroys the body of an object past the size cap', async () => {
    const { s3, bodies } = s3With(() => endlessBody(Buffer.from(`${HEADER}\n${`${LINE}\n`.repeat(30)}`)));
    const outcome = await processObject({ bucket: 'b', key: FLOW_KEY }, deps(s3, answering(ItemStatus.created), 1024));
    assert.equal(outcome.status, 'failed');
    assert.equal(bodies[0]?.destroyed, true);
  });
  it('destroys the body of a skipped object of unknown kind', async () => {
    const { s3, bodies } = s3With(() => endlessBody(Buffer.from('hello world\n')));
    const outcome = await processObject({ bucket: 'b', key: 'notes/readme.txt' }, deps(s3));
    assert.equal(outcome.status, 'skipped');
    assert.equal(bodies[0]?.destroyed, true);
  });
  it('destroys the body of an object read to its end', async () => {
    const { s3, bodies } = s3With(() => Readable.from([gzipSync(`${HEADER}\n${LINE}\n`)]));
    const outcome = await processObject({ bucket: 'b', key: FLOW_KEY }, deps(s3));
    assert.equal(outcome.status, 'indexed');
    assert.equal(bodies[0]?.destroyed, true);
  });
});

describe('processObject keeps the message while a document is unaccounted for', () => {
  it('a truncated gzip whose documents OpenSearch did not take is not acknowledged', async () => {
    const whole = gzipSync(`${HEADER}\n${`${LINE}\n`.repeat(2000)}`);
    const { s3 } = s3With(() => Readable.from([whole.subarray(0, Math.floor(whole.length * 0.8))]));
    const d = deps(s3, answering(ItemStatus.failed));
    const outcome = await processObject({ bucket: 'b', key: FLOW_KEY }, d);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.status === 'failed' && outcome.error.retryable, false, 'the object is broken for good');
    assert.ok(outcome.status === 'failed' && outcome.counts.failed > 0, 'and some of its documents were not taken');
    assert.equal(isAcknowledged(outcome), false, 'so the message stays: no document letter holds them');
  });
});
