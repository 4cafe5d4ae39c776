import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { SampleFormat, flowLogKey, sampleLines } from './flow-logs.js';

/**
 * Generates realistic flow-log objects (alternately the default format and a custom format with
 * every VPC field) and puts them under AWS's key layout, where the bucket notification announces
 * them to the queue.
 */
export async function uploadSamples(s3: S3Client, bucket: string, objects: number, records: number): Promise<{ objects: number; records: number }> {
  const now = Math.floor(Date.now() / 1000);
  const puts = Array.from({ length: objects }, async (_, i) => {
    const format = i % 2 === 0 ? SampleFormat.default : SampleFormat.full;
    const start = now - 3600 + i * 60;
    const text = `${[...sampleLines({ seed: i + 1, records, format, start })].join('\n')}\n`;
    const key = flowLogKey('123456789012', 'us-east-1', `fl-demo-${format}`, start, `demo${String(i).padStart(4, '0')}`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(text) }));
  });
  await Promise.all(puts);
  return { objects, records: objects * records };
}
