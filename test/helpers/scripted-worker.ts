/**
 * A worker over a scripted SQS client, for the unit tests of src/worker/worker.ts: sqs-consumer
 * runs for real, the object pipeline is the test's own function, the logger is silent.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { S3ObjectRef } from '../../src/core/types.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ObjectOutcome } from '../../src/pipeline/process-object.js';
import { HealthGate } from '../../src/worker/gate.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker.js';

export const TEST_QUEUE = 'http://127.0.0.1:1/000000000000/q';

/** Starts a worker on TEST_QUEUE for bucket `logs`, with the default settings and then `settings`; `signal` stops it. */
export function scriptedWorker(sqs: SQSClient, processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>, settings: Partial<Config> = {}, signal?: AbortSignal): RunningWorker {
  const config = { ...loadConfig({}), waitTimeSeconds: 1, ...settings, queueUrl: TEST_QUEUE };
  const logger = createLogger('silent');
  return startWorker({
    config, sqs, gate: new HealthGate(async () => undefined), logger, ...(signal && { signal }),
    handle: { processObject, logger, bucketAllowed: (b) => b === 'logs', deadLetters: { record: async () => undefined } },
  });
}

/** Waits until `predicate` holds, failing with `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
