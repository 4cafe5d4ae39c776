import type { Config } from '../config/schema.js';
import { awsClients, readOptions } from '../context.js';
import type { Doc } from '../core/types.js';
import { ProgressLine, newProgressCounts, progressLine } from '../observability/progress.js';
import type { KindSpec } from '../query/fields.js';
import type { QueryFilter } from '../query/filter.js';
import { documentWriter, writeTop } from '../query/output.js';
import { scanS3 } from '../query/s3-scan.js';
import { sortDocuments } from '../query/sort.js';
import { TopCounter } from '../query/top.js';
import { parseDuration } from '../query/when.js';
import { intOption } from './options.js';
import type { OutputChoice } from './query.js';

/** `query s3://bucket/prefix`: reads the objects in the range, prints what matches, progress on a terminal. */
export async function queryS3(config: Config, where: { bucket: string; key: string }, spec: KindSpec, filter: QueryFilter, out: OutputChoice, opts: Record<string, string>): Promise<void> {
  const counter = out.top ? new TopCounter(out.top) : undefined;
  const found: Doc[] = [];
  const progress = newProgressCounts();
  const line = new ProgressLine(process.stderr, (ms) => progressLine(progress, ms, `${counter ? '' : `${found.length} matched`}`)).start();
  const summary = await scanS3({
    s3: awsClients(config).s3, bucket: where.bucket, prefix: where.key, spec, filter, progress,
    lagMs: parseDuration('--key-lag', opts['keyLag'] ?? '15m'),
    concurrency: intOption('--concurrency', opts['concurrency'] ?? '8', 1, 256),
    read: await readOptions(config),
    warn: (message) => process.stderr.write(`${line.enabled ? '\n' : ''}${message}\n`),
  }, (doc) => (counter ? counter.add(doc) : found.push(doc)));
  line.stop();
  process.stderr.write(
    `${summary.objects} objects read, ${summary.outOfRange} outside the time range by their keys, ${summary.noTime} without a time in their keys left out` +
      `${summary.unreadableObjects ? `, ${summary.unreadableObjects} unreadable` : ''}${summary.unreadableLines ? `, ${summary.unreadableLines} lines unreadable` : ''}\n`,
  );
  if (summary.unreadableObjects + summary.unreadableLines > 0) process.exitCode = 2;
  if (counter && out.top) {
    await writeTop(process.stdout, out.format, out.top, counter.rows(), out.header);
    return;
  }
  const writer = documentWriter(process.stdout, out.format, out.columns, out.header);
  await writer.start();
  for (const doc of sortDocuments(spec, found).slice(0, out.limit)) await writer.write(doc);
  await writer.end();
}
