import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeNotification } from '../../../src/notification/decode.js';
import { encodeS3Key, s3EventBody } from '../../../src/notification/encode.js';

describe('s3EventBody', () => {
  it('encodes keys as S3 does: + for space, %XX for the rest, / kept', () => {
    assert.equal(encodeS3Key('a b/c+d=é.log.gz'), 'a+b/c%2Bd%3D%C3%A9.log.gz');
  });
  it('is read back by the decoder as the same objects, whatever the key', () => {
    fc.assert(
      fc.property(fc.array(fc.record({
        bucket: fc.stringMatching(/^[a-z0-9.-]{3,20}$/), key: fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }), time: fc.integer({ min: 0, max: 4_102_444_800 }),
      }, { noNullPrototype: true }), { minLength: 1, maxLength: 5 }), (refs) => {
        const n = decodeNotification(s3EventBody(refs));
        assert.equal(n.kind, 'objects');
        assert.deepEqual(n.kind === 'objects' && n.objects, refs);
      }),
      { numRuns: 300 },
    );
  });
});

describe('s3EventBody is the event S3 sends', () => {
  it('each record as S3 writes it, with the size only where the listing gave one', () => {
    const body = JSON.parse(s3EventBody([{ bucket: 'logs', key: 'a b.gz', size: 42, time: 0 }, { bucket: 'logs', key: 'c.gz' }], new Date(Date.UTC(2026, 10, 22)))) as unknown;
    const record = (key: string, eventTime: string, object: Record<string, unknown>) => ({
      eventVersion: '2.1', eventSource: 'aws:s3', eventTime, eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'logs', arn: 'arn:aws:s3:::logs' }, object: { key, ...object } },
    });
    assert.deepEqual(body, { Records: [record('a+b.gz', '1970-01-01T00:00:00.000Z', { size: 42 }), record('c.gz', '2026-11-22T00:00:00.000Z', {})] });
  });
});
