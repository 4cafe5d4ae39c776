/**
 * `query s3://bucket/prefix`: the same question without OpenSearch. Lists the objects whose keys'
 * times fall in the range (day folders only, where the layout allows), reads them a few at a time
 * with the indexer's own readers, and hands every matching document of the asked kind to the caller.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Doc } from '../core/types.js';
import { where } from '../core/errors.js';
import { countListed, type ProgressCounts } from '../observability/progress.js';
import type { Readable } from 'node:stream';
import { readS3Object, type ReadOptions } from '../pipeline/read-object.js';
import { processAll } from '../pipeline/reprocess.js';
import type { KeySelection } from '../source/key-time.js';
import { listByKeyTime } from '../source/s3.js';
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

/** Reads the selected objects and calls `onDoc` for each matching document of the kind. */
export async function scanS3(options: ScanOptions, onDoc: (doc: Doc) => void): Promise<ScanSummary> {
  const { spec, filter, progress } = options;
  const summary: ScanSummary = { objects: 0, outOfRange: 0, noTime: 0, unreadableObjects: 0, unreadableLines: 0 };
  const listing = { bucket: options.bucket, prefix: options.prefix, range: filter.range, lagMs: options.lagMs, skipped: summary };
  const selected = countListed(listByKeyTime(options.s3, listing), progress);
  // Documents of the other kind are told apart by the index they would go to.
  const indexPrefix = `${spec.kind === QueryKind.flows ? options.read.indexPrefix : (options.read.cloudtrailIndexPrefix ?? 'cloudtrail')}-`;
  const readOne = async (ref: S3ObjectRef): Promise<void> => {
    let body: Readable | undefined;
    try {
      const opened = await readS3Object(options.s3, ref, options.read);
      body = opened.body;
      const read = opened.result;
      if (read.kind === 'read') {
        for await (const batch of read.batches) {
          for (const p of batch.problems) options.warn(`${where(ref, p.lineNo)}: ${p.reason}`);
          summary.unreadableLines += batch.problems.length;
          progress.records += batch.ops.length;
          for (const op of batch.ops) {
            if (!op.index.startsWith(indexPrefix)) continue;
            // Readers hand out encoded operations: `doc` parses their JSON, so once.
            const doc = op.doc;
            if (matches(spec, filter, doc)) onDoc(doc);
          }
        }
      }
    } catch (err) {
      summary.unreadableObjects += 1;
      options.warn(err instanceof Error ? err.message : String(err));
    } finally {
      body?.destroy();
    }
    summary.objects += 1;
    progress.done += 1;
    progress.doneBytes += ref.size ?? 0;
  };
  await processAll(selected, readOne, options.concurrency, () => undefined);
  return summary;
}
