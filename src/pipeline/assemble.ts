import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '../config/schema.js';
import { awsClients, readOptions } from '../context.js';
import { OpenSearchDeadLetters } from '../deadletter/opensearch-store.js';
import type { Logger } from '../observability/logger.js';
import { BulkIndexer, type BulkTransport, type RetryInfo } from '../sink/bulk-indexer.js';
import { countFetchedBytes } from '../source/s3.js';
import { bulkTransport, createOpenSearchClient } from '../sink/opensearch.js';
import { processObject, type ObjectOutcome, type OpSink } from './process-object.js';
import type { ReadOptions } from './read-object.js';
import { LoadPlacement } from './parse-placement.js';
import type { ItemOutcome, S3ObjectRef } from '../core/types.js';
import { where } from '../core/errors.js';
import type { StallPolicy } from '../source/s3-body.js';

/** Ranged re-reads of a stalled S3 body before its object fails (retryable) and the message is released. */
const S3_STALL_RETRIES = 3;

/** How OpenSearch Serverless time-series collections refuse a `_bulk` item that carries an `_id`. */
const CUSTOM_ID_REFUSED = /document id is not supported/i;

/** An object pipeline wired from settings: what the worker and `reprocess` share. */
export interface Pipeline {
  readonly client: Client;
  readonly deadLetters: OpenSearchDeadLetters;
  /** The shared bulk indexer, for documents that come from elsewhere than S3 objects (`cwl`). */
  readonly sink: OpSink;
  readonly read: ReadOptions;
  processObject(ref: S3ObjectRef): Promise<ObjectOutcome>;
  /** Sends what is buffered and waits for every answer. */
  close(): Promise<void>;
}

/** What the pipeline tells the metrics, when a process keeps them (the worker). */
export interface PipelineMetrics {
  /** One `_bulk` round trip took this long. */
  bulkRequest(seconds: number): void;
  /** This many bytes came from S3. */
  s3Read(bytes: number): void;
}

/**
 * S3 client, OpenSearch client, bulk indexer, dead-letter store and reading options, built once
 * per process. `onRetry` hears every bulk retry (the worker's health gate listens there).
 */
export async function assemblePipeline(config: Config, logger: Logger, onRetry?: (info: RetryInfo) => void, metrics?: PipelineMetrics): Promise<Pipeline> {
  const { s3 } = awsClients(config);
  if (metrics) countFetchedBytes(s3, metrics.s3Read);
  // A move is rare (three busy looks to go, a calm one to come back) and says where the CPU goes.
  const placement = new LoadPlacement({
    onMove: (toThreads, busy) => logger.info({ busy: Math.round(busy * 100) / 100 }, toThreads ? 'flow-log lines, CloudTrail records and CloudWatch Logs events go to the parse threads: the main thread is busy' : 'flow-log lines, CloudTrail records and CloudWatch Logs events parsed on the main thread: it has time to spare'),
  });
  const read = await readOptions(config, placement);
  const client = createOpenSearchClient(config, logger);
  const transport = bulkTransport(client, config.opensearchCompression);
  // Serverless time-series collections refuse custom ids: the one case where ids must be left out.
  let told = false;
  const explainRefusedIds = (outcome: ItemOutcome) => {
    if (told || !CUSTOM_ID_REFUSED.test(outcome.error ?? '')) return;
    told = true;
    logger.error(
      { error: outcome.error },
      'OpenSearch refuses document ids (an OpenSearch Serverless time-series collection): documents go to the dead-letter store. ' +
        'Set OPENSEARCH_DOCUMENT_IDS=false to index there; OpenSearch then chooses ids, so redelivered or re-read objects are indexed twice.',
    );
  };
  const indexer = new BulkIndexer(metrics ? timed(transport, metrics.bulkRequest) : transport, {
    maxBytes: config.bulkMaxBytes, maxDocs: config.bulkMaxDocs, concurrency: config.bulkConcurrency, documentIds: config.opensearchDocumentIds,
    onRetry: (info) => {
      logger.warn(info, 'bulk request retried');
      onRetry?.(info);
    },
    onRejected: explainRefusedIds,
  });
  const deadLetters = new OpenSearchDeadLetters(client, config.deadLetterIndex);
  const stall: StallPolicy = {
    idleMs: config.s3ReadTimeoutMs, retries: S3_STALL_RETRIES,
    onStall: ({ ref, offset, attempt }) => logger.warn({ object: where(ref), offset, attempt }, 'S3 read stalled; reading on from where it stopped'),
  };
  if (!config.opensearchDocumentIds) {
    logger.warn('OPENSEARCH_DOCUMENT_IDS=false: OpenSearch chooses document ids, so a redelivered or re-read object is indexed again (duplicates)');
  }
  const sink: OpSink = { add: (op, onOutcome) => indexer.add(op, onOutcome), producing: () => indexer.producing() };
  return {
    client,
    deadLetters,
    sink,
    read,
    processObject: (ref) => {
      s3.noteRegion(ref.bucket, ref.region);
      return processObject(ref, { s3, sink, deadLetters, read, logger, stall });
    },
    close: () => indexer.close(),
  };
}

/** The transport, telling `observe` how long each round trip took (failed ones too). */
function timed(transport: BulkTransport, observe: (seconds: number) => void): BulkTransport {
  return async (body) => {
    const start = process.hrtime.bigint();
    try {
      return await transport(body);
    } finally {
      observe(Number(process.hrtime.bigint() - start) / 1e9);
    }
  };
}
