/**
 * `setup`'s provisioning against scripted AWS clients: what it creates, how the pieces point at
 * each other (queue → DLQ, topic → queue, bucket → topic), and that running it again is harmless.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { NOTIFY_RULES, provision, type AwsClients, type SetupPlan } from '../../../src/setup/provision.js';

type Call = { command: string; input: Record<string, unknown> };

/** Clients that answer like AWS and record every call; `bucketExists` makes CreateBucket answer as for a second run. */
function scriptedAws(bucketExists = false): { aws: AwsClients; calls: Call[] } {
  const calls: Call[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push({ command: name, input: command.input });
    switch (name) {
      case 'CreateBucketCommand':
        if (bucketExists) throw new S3ServiceException({ name: 'BucketAlreadyOwnedByYou', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'yours' });
        return {};
      case 'CreateQueueCommand':
        return { QueueUrl: `https://sqs/123456789012/${command.input.QueueName as string}` };
      case 'GetQueueAttributesCommand':
        return { Attributes: { QueueArn: `arn:aws:sqs:eu-west-1:123456789012:${(command.input.QueueUrl as string).split('/').pop()}` } };
      case 'CreateTopicCommand':
        return { TopicArn: `arn:aws:sns:eu-west-1:123456789012:${command.input.Name as string}` };
      case 'SubscribeCommand':
        return { SubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:topic:sub-1' };
      default:
        return {};
    }
  };
  const client = { send } as never;
  return { aws: { s3: client, sns: client, sqs: client }, calls };
}

const PLAN: SetupPlan = {
  bucket: 'logs', topic: 'topic', queue: 'queue', deadLetterQueue: 'queue-dlq', maxReceiveCount: 4, visibilityTimeout: 300, region: 'eu-west-1', rawDelivery: true,
};
const inputs = (calls: Call[], command: string) => calls.filter((c) => c.command === command).map((c) => c.input);

describe('provision', () => {
  it('creates the bucket, the queue with its dead-letter queue, the topic, the subscription and the notification', async () => {
    const { aws, calls } = scriptedAws();
    const result = await provision(aws, PLAN);
    assert.deepEqual(result, {
      bucket: 'logs', topicArn: 'arn:aws:sns:eu-west-1:123456789012:topic', queueUrl: 'https://sqs/123456789012/queue',
      queueArn: 'arn:aws:sqs:eu-west-1:123456789012:queue', deadLetterQueueUrl: 'https://sqs/123456789012/queue-dlq',
    });
    assert.deepEqual(inputs(calls, 'CreateBucketCommand'), [{ Bucket: 'logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }]);
    const attributes = inputs(calls, 'SetQueueAttributesCommand').map((i) => [i.QueueUrl, i.Attributes] as [string, Record<string, string>]);
    const queue = attributes.find(([url, a]) => url.endsWith('/queue') && a.RedrivePolicy)?.[1];
    assert.deepEqual(JSON.parse(queue?.RedrivePolicy ?? '{}'), { deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:queue-dlq', maxReceiveCount: 4 });
    assert.equal(queue?.VisibilityTimeout, '300');
    const policy = JSON.parse(attributes.find(([url, a]) => url.endsWith('/queue') && a.Policy)?.[1].Policy ?? '{}');
    assert.deepEqual(policy.Statement[0].Condition, { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123456789012:topic' } });
    assert.deepEqual(inputs(calls, 'SubscribeCommand'), [{ TopicArn: result.topicArn, Protocol: 'sqs', Endpoint: result.queueArn, ReturnSubscriptionArn: true }]);
    assert.equal(inputs(calls, 'SetSubscriptionAttributesCommand')[0]?.AttributeValue, 'true', 'raw delivery as planned');
    const notification = inputs(calls, 'PutBucketNotificationConfigurationCommand')[0] as { Bucket: string; NotificationConfiguration: { TopicConfigurations: Array<{ TopicArn: string; Filter: unknown }> } };
    assert.equal(notification.Bucket, 'logs');
    assert.deepEqual(notification.NotificationConfiguration.TopicConfigurations.map((t) => t.TopicArn), NOTIFY_RULES.map(() => result.topicArn));
  });

  it('runs again over what exists (the bucket is already ours) and changes the delivery mode', async () => {
    const { aws, calls } = scriptedAws(true);
    await provision(aws, { ...PLAN, region: 'us-east-1', rawDelivery: false });
    assert.deepEqual(inputs(calls, 'CreateBucketCommand'), [{ Bucket: 'logs', CreateBucketConfiguration: undefined }], 'us-east-1 takes no location');
    assert.equal(inputs(calls, 'SetSubscriptionAttributesCommand')[0]?.AttributeValue, 'false');
  });

  it('stops at a bucket that belongs to someone else', async () => {
    const { aws } = scriptedAws();
    const taken = new S3ServiceException({ name: 'BucketAlreadyExists', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'taken' });
    const send = aws.s3.send.bind(aws.s3);
    (aws.s3 as unknown as { send: unknown }).send = async (c: { constructor: { name: string } }) => (c.constructor.name === 'CreateBucketCommand' ? Promise.reject(taken) : send(c as never));
    await assert.rejects(provision(aws, PLAN), /taken/);
  });
});
