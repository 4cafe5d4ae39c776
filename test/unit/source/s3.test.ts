import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { s3Failure } from '../../../src/source/s3.js';

const ref = { bucket: 'logs', key: 'AWSLogs/a.log.gz' };
const s3Error = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} from S3` });

describe('s3Failure', () => {
  it('says a retry cannot mend a missing object, bucket or range', () => {
    for (const [name, status] of [['NoSuchKey', 404], ['NotFound', 404], ['NoSuchBucket', 404], ['InvalidObjectState', 403], ['InvalidRange', 416]] as const) {
      const err = s3Failure(ref, 'GetObject', s3Error(name, status));
      assert.equal(err.retryable, false, name);
      assert.match(err.message, new RegExp(`^s3://logs/AWSLogs/a\\.log\\.gz: GetObject failed: ${name} `));
    }
  });
  it('leaves throttling, server errors, AccessDenied and network failures to a retry', () => {
    for (const [name, status] of [['SlowDown', 503], ['ServiceUnavailable', 503], ['InternalError', 500], ['RequestTimeout', 400], ['AccessDenied', 403]] as const) {
      assert.equal(s3Failure(ref, 'GetObject', s3Error(name, status)).retryable, true, name);
    }
    assert.equal(s3Failure(ref, 'GetObject', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).retryable, true);
  });
});
