/**
 * `query s3://bucket/prefix`: the same question without OpenSearch. Lists the objects whose keys'
 * times fall in the range (day folders only, where the layout allows), reads them a few at a time
 * with the indexer's own readers, and hands every matching document of the asked kind to the caller.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Doc } from '../core/types.js';
import { where } from '../core/errors.js';
import type { ProgressCounts } from '../observability/progress.js';
import { readS3Object, type ReadOptions } from '../pipeline/read-object.js';
import { processAll } from '../pipeline/reprocess.js';
import { listingPrefixes, selectByKeyTime, type KeySelection, type TimeRange } from '../source/key-time.js';
import { listObjects } from '../source/s3.js';
import type { S3ObjectRef } from '../core/types.js';
import { QueryKind, type KindSpec } from './fields.js';
import { matches, type QueryFilter } from './filter.js';

/** Where to look and how. */
export interface ScanOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly spec: KindSpec;
  readonly filter: QueryFilter;
  /** How far a key's time may be from the records it holds (delivery stamp vs record time). */
  readonly lagMs: number;
  readonly concurrency: number;
  readonly read: ReadOptions;
  readonly progress: ProgressCounts;
  /** A problem that does not stop the scan (an unreadable line or object), for stderr. */
  readonly warn: (message: string) => void;
}

/** What the scan left out or could not read. */
export interface ScanSummary extends KeySelection {
  objects: number;
  unreadableObjects: number;
  unreadableLines: number;
}

/** Every listed object under the prefixes a time range needs, in key order per prefix. */
export async function* listRange(s3: S3Client, bucket: string, prefix: string, range: TimeRange, lagMs: number, counts: ProgressCounts): AsyncGenerator<S3ObjectRef> {
  for (const p of listingPrefixes(prefix, range, lagMs)) {
    for await (const ref of listObjects(s3, bucket, p)) {
      counts.listed += 1;
      counts.listedBytes += ref.size ?? 0;
      yield ref;
    }
  }
  counts.listingDone = true;
}

/** Reads the selected objects and calls `onDoc` for each matching document of the kind. */
export async function scanS3(options: ScanOptions, onDoc: (doc: Doc) => void): Promise<ScanSummary> {
  const { spec, filter, progress } = options;
  const summary: ScanSummary = { objects: 0, outOfRange: 0, noTime: 0, unreadableObjects: 0, unreadableLines: 0 };
  const listed = listRange(options.s3, options.bucket, options.prefix, filter.range, options.lagMs, progress);
  const selected = selectByKeyTime(listed, filter.range, options.lagMs, summary);
  // Documents of the other kind are told apart by the index they would go to.
  const indexPrefix = `${spec.kind === QueryKind.flows ? options.read.indexPrefix : (options.read.cloudtrailIndexPrefix ?? 'cloudtrail')}-`;
  const readOne = async (ref: S3ObjectRef): Promise<void> => {
    try {
      const read = await readS3Object(options.s3, ref, options.read);
      if (read.kind === 'read') {
        for await (const batch of read.batches) {
          for (const p of batch.problems) options.warn(`${where(ref, p.lineNo)}: ${p.reason}`);
          summary.unreadableLines += batch.problems.length;
          progress.records += batch.ops.length;
          for (const op of batch.ops) if (op.index.startsWith(indexPrefix) && matches(spec, filter, op.doc)) onDoc(op.doc);
        }
      }
    } catch (err) {
      summary.unreadableObjects += 1;
      options.warn(err instanceof Error ? err.message : String(err));
    }
    summary.objects += 1;
    progress.done += 1;
    progress.doneBytes += ref.size ?? 0;
  };
  await processAll(selected, readOne, options.concurrency, () => undefined);
  return summary;
}
