import type { Config } from '../config/schema.js';
import { awsClients, readOptions } from '../context.js';
import { OpenSearchDeadLetters } from '../deadletter/opensearch-store.js';
import type { Logger } from '../observability/logger.js';
import { processObject, type OpSink } from '../pipeline/process-object.js';
import { BulkIndexer, RetryScope } from '../sink/bulk-indexer.js';
import { bulkTransport, createOpenSearchClient } from '../sink/opensearch.js';
import { HealthGate } from './gate.js';
import { bucketPolicy } from './handle-message.js';
import { startWorker, type RunningWorker } from './worker.js';

/**
 * Wires a worker from settings: AWS clients, OpenSearch client, bulk indexer, dead-letter store,
 * health gate. The CLI and the integration tests start workers through this one function.
 */
export async function runWorker(config: Config & { queueUrl: string; allowedBuckets: string[] }, logger: Logger, untilEmpty = false): Promise<{ worker: RunningWorker; finish: () => Promise<void> }> {
  const { s3, sqs } = awsClients(config);
  const read = await readOptions(config);
  const client = createOpenSearchClient(config, logger);
  const stopSignal = new AbortController();
  const gate = new HealthGate(
    async () => (await client.cluster.health({}, { requestTimeout: 5000 })).statusCode === 200,
    (open, detail) => (open ? logger.info({ detail }, 'OpenSearch is back: polling resumes') : logger.warn({ detail }, 'OpenSearch unavailable: polling paused')),
    stopSignal.signal,
  );
  const indexer = new BulkIndexer(bulkTransport(client), {
    maxBytes: config.bulkMaxBytes, maxDocs: config.bulkMaxDocs, concurrency: config.bulkConcurrency,
    onRetry: (info) => {
      logger.warn(info, 'bulk request retried');
      if (info.scope === RetryScope.request) gate.close(info.error);
    },
  });
  const deadLetters = new OpenSearchDeadLetters(client, config.deadLetterIndex);
  if (!config.opensearchDocumentIds) {
    logger.warn('OPENSEARCH_DOCUMENT_IDS=false: OpenSearch chooses document ids, so a redelivered or re-read object is indexed again (duplicates)');
  }
  // Serverless time-series collections refuse custom ids: the one case where ids must be left out.
  const add: OpSink['add'] = config.opensearchDocumentIds ? (op, cb) => indexer.add(op, cb) : (op, cb) => indexer.add({ ...op, id: '' }, cb);
  const worker = startWorker({
    config, sqs, logger, gate, untilEmpty,
    handle: {
      processObject: (ref) => processObject(ref, { s3, sink: { add }, deadLetters, read, logger }),
      bucketAllowed: bucketPolicy(config.allowedBuckets),
      deadLetters,
      logger,
    },
  });
  const finish = async () => {
    await worker.stopped;
    stopSignal.abort();
    await indexer.close();
  };
  return { worker, finish };
}
