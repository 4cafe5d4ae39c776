/**
 * readS3Object with an in-memory S3 client: Parquet through ranged reads, other objects as one
 * stream dated by LastModified when nothing better dates them, the body destroyed when reading
 * cannot start.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ObjectError } from '../../../src/core/errors.js';
import type { OpBatch } from '../../../src/core/records.js';
import type { S3ObjectRef } from '../../../src/core/types.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { readS3Object, type ReadResult } from '../../../src/pipeline/read-object.js';

const PARQUET = fileURLToPath(new URL('../../fixtures/vpc-flow/parquet/default.log.parquet', import.meta.url));
const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const options = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 20 };
/** Header-less lines without a start time: only the object's time can date them. */
const UNDATED = { ...options, headerlessPrefixes: ['exports/'], flowFormat: '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${action}' };
const UNDATED_LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 ACCEPT\n';

async function batchesOf(read: ReadResult): Promise<OpBatch[]> {
  const out: OpBatch[] = [];
  for await (const b of read.kind === 'read' ? read.batches : []) out.push(b);
  return out;
}

/** An S3 client serving one object from memory: whole, or the byte range asked for; it keeps every request. */
function s3Serving(bytes: Buffer, lastModified?: Date) {
  const requests: GetObjectCommand['input'][] = [];
  const bodies: Readable[] = [];
  const s3 = {
    send: async (command: GetObjectCommand) => {
      assert.ok(command instanceof GetObjectCommand);
      requests.push(command.input);
      const range = /^bytes=(\d+)-(\d+)$/.exec(command.input.Range ?? '');
      const part = range ? bytes.subarray(Number(range[1]), Number(range[2]) + 1) : bytes;
      const body = Object.assign(Readable.from([part]), { transformToByteArray: async () => new Uint8Array(part) });
      bodies.push(body);
      return { Body: body, ContentLength: part.length, ETag: '"e"', ...(lastModified ? { LastModified: lastModified } : {}) };
    },
  } as unknown as S3Client;
  return { s3, requests, bodies };
}

describe('readS3Object', () => {
  it('reads a Parquet object through ranged requests only', async () => {
    const file = await readFile(PARQUET);
    const { s3, requests } = s3Serving(file);
    const ref: S3ObjectRef = { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.parquet', size: file.length };
    const { result, body } = await readS3Object(s3, ref, options);
    assert.equal(body, undefined, 'no stream to destroy');
    assert.equal(result.kind === 'read' && result.format, V2);
    assert.ok((await batchesOf(result)).flatMap((b) => b.ops).length > 0);
    assert.ok(requests.length > 0 && requests.every((r) => r.Range !== undefined), JSON.stringify(requests));
  });

  it('dates an undated object by its LastModified, and keeps the time it has', async () => {
    const written = new Date(Date.UTC(2020, 0, 2, 12));
    const indices = async (ref: S3ObjectRef, modified?: Date) => {
      const { result, body } = await readS3Object(s3Serving(Buffer.from(UNDATED_LINE), modified).s3, ref, UNDATED);
      assert.ok(body instanceof Readable);
      const batches = await batchesOf(result);
      return [...batches.flatMap((b) => b.ops.map((o) => o.index)), ...batches.flatMap((b) => b.problems.map((p) => p.reason.slice(0, 20)))];
    };
    assert.deepEqual(await indices({ bucket: 'b', key: 'exports/x' }, written), ['vpcflowlogs-2020.01.02']);
    assert.deepEqual(await indices({ bucket: 'b', key: 'exports/x', time: Date.UTC(2021, 5, 6) / 1000 }, written), ['vpcflowlogs-2021.06.06']);
    assert.deepEqual(await indices({ bucket: 'b', key: 'exports/x' }), ['record has no start ']);
  });

  it('destroys the body itself when reading cannot start, and fails with the reader\'s error', async () => {
    const { s3, bodies } = s3Serving(Buffer.from('1 2 3\n'));
    await assert.rejects(readS3Object(s3, { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log' }, options), (e: unknown) => e instanceof ObjectError && !e.retryable);
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0]?.destroyed, true);
  });
});
