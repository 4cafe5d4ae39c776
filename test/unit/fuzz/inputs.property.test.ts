/**
 * Fuzzing of every decoder that meets bytes from outside: random and mutated inputs never throw
 * anything but our typed errors, never hang (each property runs under a test timeout), and never
 * pass the caps. Runs are few (numRuns) so the unit suite stays fast; a failure prints its seed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ObjectError } from '../../../src/core/errors.js';
import type { OpBatch } from '../../../src/core/records.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { CloudTrailBodyError, readCloudTrail } from '../../../src/formats/cloudtrail/reader.js';
import { DEFAULT_FORMAT, isParseError, parseHeader, parseRecord } from '../../../src/formats/vpc-flow/parse.js';
import { decodeNotification } from '../../../src/notification/decode.js';
import { readObject } from '../../../src/pipeline/read-object.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const FLOW_KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/1_vpcflowlogs_us-east-1_fl-1_20141214T0405Z_a.log.gz';
const TRAIL_KEY = 'AWSLogs/1/CloudTrail/us-east-1/2023/07/19/1_CloudTrail_us-east-1_20230719T2120Z_a.json.gz';
const MAX_LINE = 512;
const MAX_OBJECT = 64 * 1024;
const MAX_RECORD = 4096;
const options = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: MAX_LINE, maxObjectBytes: MAX_OBJECT, cloudtrailMaxRecordBytes: MAX_RECORD };

/** Valid input with random damage: bytes flipped, cut, repeated or spliced in. */
function mutated(valid: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 50 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let out = Buffer.from(valid);
    for (const e of edits) {
      const at = out.length === 0 ? 0 : e.at % out.length;
      if (e.kind === 'flip') out[at] = e.byte;
      else if (e.kind === 'cut') out = out.subarray(0, at);
      else if (e.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(e.bytes), out.subarray(at)]);
      else out = Buffer.concat([out.subarray(0, at), ...Array.from({ length: e.times }, () => out.subarray(at, at + 16)), out.subarray(at)]);
    }
    return out;
  });
}

/** The bytes in random chunks, as a socket delivers them. */
const chunkedStream = (bytes: Buffer, sizes: number[]): Readable => {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % Math.max(1, sizes.length)] ?? bytes.length);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks, { objectMode: false });
};
const chunkSizes = fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 8 });

/** Reads an object to its end: its batches, or the typed error that stopped it. Any other throw fails the property. */
async function readAll(key: string, bytes: Buffer, sizes: number[]): Promise<{ batches: OpBatch[]; error?: ObjectError }> {
  const batches: OpBatch[] = [];
  try {
    const read = await readObject({ bucket: 'b', key, time: 0 }, chunkedStream(bytes, sizes), options);
    if (read.kind === 'read') for await (const batch of read.batches) batches.push(batch);
  } catch (err) {
    assert.ok(err instanceof ObjectError, `only ObjectError may escape, got ${String(err)}`);
    return { batches, error: err };
  }
  return { batches };
}

/** Every problem text within the line cap, and no more documents than the object could hold lines. */
function assertWithinCaps(batches: OpBatch[]): void {
  for (const b of batches) {
    for (const p of b.problems) assert.ok((p.text?.length ?? 0) <= Math.max(MAX_LINE, MAX_RECORD) * 4, `problem text of ${p.text?.length}`);
    for (const op of b.ops) assert.ok(JSON.stringify(op.doc).length <= MAX_OBJECT * 2, 'no document larger than the object cap');
  }
}

const flowText = Buffer.from(`${HEADER}\n${`${LINE}\n`.repeat(20)}`);
const trailText = Buffer.from(JSON.stringify({ Records: Array.from({ length: 5 }, (_, i) => ({ eventID: `e-${i}`, eventTime: '2023-07-19T21:14:20Z', eventName: 'X', requestParameters: { a: [i, { b: 'c' }] } })) }));

describe('fuzz: notification decoder', () => {
  const valid = JSON.stringify({ Records: [{ eventVersion: '2.1', eventName: 'ObjectCreated:Put', eventTime: '2026-11-22T07:00:00Z', s3: { bucket: { name: 'b' }, object: { key: 'a%20b', size: 1 } } }] });
  it('never throws on random or mutated bodies, and answers one of its three kinds', () => {
    const body = fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 4 }), mutated(Buffer.from(valid)).map((b) => b.toString('utf8')),
      mutated(Buffer.from(JSON.stringify({ Type: 'Notification', Message: valid }))).map((b) => b.toString('utf8')));
    fc.assert(fc.property(body, (text) => {
      const n = decodeNotification(text);
      assert.ok(['objects', 'skip', 'invalid'].includes(n.kind));
      if (n.kind === 'objects') for (const o of n.objects) assert.ok(typeof o.bucket === 'string' && typeof o.key === 'string');
    }), { numRuns: 300 });
  });
});

describe('fuzz: flow-log parser', () => {
  it('parseHeader and parseRecord never throw on random or mutated text', () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), mutated(Buffer.from(LINE)).map((b) => b.toString('utf8')));
    fc.assert(fc.property(text, text, (header, line) => {
      const format = parseHeader(header);
      const record = parseRecord(isParseError(format) ? DEFAULT_FORMAT : format, line);
      assert.ok(isParseError(record) || typeof record.fields === 'object');
    }), { numRuns: 300 });
  });
});

describe('fuzz: objects through gzip framing and the readers', { timeout: 60_000 }, () => {
  it('a mutated flow log, plain or gzip, gives documents and problems or an ObjectError, within the caps', async () => {
    const input = fc.oneof(mutated(flowText), mutated(gzipSync(flowText)), mutated(Buffer.concat([gzipSync(flowText), gzipSync(flowText)])));
    await fc.assert(fc.asyncProperty(input, chunkSizes, async (bytes, sizes) => assertWithinCaps((await readAll(FLOW_KEY, bytes, sizes)).batches)), { numRuns: 60 });
  });
  it('random bytes under a key that says nothing are skipped, read, or fail with an ObjectError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), chunkSizes, async (bytes, sizes) => {
      assertWithinCaps((await readAll('misc/unknown.bin', Buffer.from(bytes), sizes)).batches);
    }), { numRuns: 60 });
  });
  it('a gzip bomb stops at MAX_OBJECT_BYTES', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(MAX_OBJECT * 4, 0x0a)]));
    await fc.assert(fc.asyncProperty(chunkSizes, async (sizes) => {
      const { error } = await readAll(FLOW_KEY, bomb, sizes);
      assert.match(error?.message ?? '', /MAX_OBJECT_BYTES/);
    }), { numRuns: 10 });
  });
});

describe('fuzz: CloudTrail reader', { timeout: 60_000 }, () => {
  const ctx = { ref: { bucket: 'b', key: TRAIL_KEY }, enricher: noopEnricher, indexPrefix: 'cloudtrail', maxBlobBytes: 1024, maxRecordBytes: MAX_RECORD };
  it('mutated bodies in random chunks give records or a CloudTrailBodyError, never another throw', async () => {
    const body = fc.oneof(mutated(trailText), fc.json({ maxDepth: 5 }).map((t) => Buffer.from(t)), fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)));
    await fc.assert(fc.asyncProperty(body, chunkSizes, async (bytes, sizes) => {
      const batches: OpBatch[] = [];
      try {
        for await (const batch of readCloudTrail(chunkedStream(bytes, sizes), ctx)) batches.push(batch);
      } catch (err) {
        assert.ok(err instanceof CloudTrailBodyError, `only CloudTrailBodyError may escape, got ${String(err)}`);
      }
      for (const op of batches.flatMap((b) => b.ops)) assert.ok(JSON.stringify(op.doc).length <= MAX_RECORD * 6, 'no record past the record cap');
    }), { numRuns: 100 });
  });
  it('through readObject, a mutated gzip trail fails only with an ObjectError', async () => {
    await fc.assert(fc.asyncProperty(mutated(gzipSync(trailText)), chunkSizes, async (bytes, sizes) => assertWithinCaps((await readAll(TRAIL_KEY, bytes, sizes)).batches)), { numRuns: 60 });
  });
});
