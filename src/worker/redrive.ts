import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Moves every message from the dead-letter queue back to the main queue (after a fix), in batches
 * of ten: send first, then delete, so a crash between the two duplicates a message (harmless: ids
 * are deterministic) and never loses one.
 */
export async function redrive(sqs: SQSClient, from: string, to: string, max = Number.POSITIVE_INFINITY): Promise<number> {
  let moved = 0;
  while (moved < max) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: from, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
    const messages = got.Messages ?? [];
    if (messages.length === 0) return moved;
    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: to, Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '' })) }),
    );
    if (sent.Failed?.length) throw new Error(`could not send ${sent.Failed.length} message(s) to ${to}: ${sent.Failed[0]?.Message ?? '?'}`);
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: from, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
    );
    moved += messages.length;
  }
  return moved;
}
