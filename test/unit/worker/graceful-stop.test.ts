import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/observability/logger.js';
import { newCounts } from '../../../src/pipeline/process-object.js';
import type { HealthGate } from '../../../src/worker/gate.js';
import { bucketPolicy } from '../../../src/worker/handle-message.js';
import { startWorker } from '../../../src/worker/worker.js';

const QUEUE = 'http://127.0.0.1:1/000000000000/q';
const BODY = JSON.stringify({ Records: [{ eventVersion: '2.1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'logs' }, object: { key: 'k' } } }] });

/** An SQS client that hands out one message, then none, and takes `deleteMs` to delete. */
function fakeSqs(deleteMs: number): { sqs: SQSClient; events: string[] } {
  const events: string[] = [];
  let given = false;
  const send = async (command: { constructor: { name: string } }) => {
    switch (command.constructor.name) {
      case 'ReceiveMessageCommand':
        if (given) {
          await sleep(50);
          return { Messages: [] };
        }
        given = true;
        return { Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: BODY, Attributes: { ApproximateReceiveCount: '1' } }] };
      case 'DeleteMessageCommand':
        await sleep(deleteMs);
        events.push('deleted');
        return {};
      default:
        return {};
    }
  };
  return { sqs: { send, config: { region: async () => 'us-east-1' } } as unknown as SQSClient, events };
}

describe('startWorker stop', () => {
  it('does not settle before the DeleteMessage of a finished message has returned', async () => {
    const { sqs, events } = fakeSqs(500);
    const config = { ...loadConfig({ QUEUE_URL: QUEUE, ALLOWED_BUCKETS: 'logs', WORKER_POLLERS: '1', SQS_WAIT_TIME_SECONDS: '0' }), queueUrl: QUEUE };
    const gate: HealthGate = { wait: async () => undefined } as unknown as HealthGate;
    let handled = false;
    const logger = createLogger('silent');
    const worker = startWorker({
      config, sqs, gate, logger,
      handle: {
        bucketAllowed: bucketPolicy(['logs']), logger, deadLetters: { record: async () => undefined },
        processObject: async (ref) => ((handled = true), { status: 'indexed', ref, counts: { ...newCounts(), created: 1 } }),
      },
    });
    while (!handled) await sleep(5);
    worker.stop();
    await worker.stopped;
    events.push('stopped');
    assert.deepEqual(events, ['deleted', 'stopped']);
  });
});
