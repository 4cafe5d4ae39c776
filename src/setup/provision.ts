import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  S3ServiceException,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Names of what `setup` creates. */
export interface SetupPlan {
  readonly bucket: string;
  readonly topic: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: number;
  readonly region: string;
  /** SNS raw message delivery: the queue gets the bare S3 event instead of the SNS envelope. */
  readonly rawDelivery: boolean;
  /**
   * Key prefix under which a Firehose stream delivers CloudWatch Logs subscription objects. Firehose
   * names objects `<prefix>YYYY/MM/DD/HH/<stream>-…` without a suffix, so every new object under it notifies.
   */
  readonly firehosePrefix?: string;
}

export interface SetupResult {
  readonly bucket: string;
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
}

/**
 * Which new objects notify (each rule is one prefix + one suffix): flow logs as text and Parquet,
 * and CloudTrail logs, under AWSLogs/. CloudTrail digests match too; the worker skips them.
 */
export const NOTIFY_RULES = [
  { prefix: 'AWSLogs/', suffix: '.log.gz' },
  { prefix: 'AWSLogs/', suffix: '.log.parquet' },
  { prefix: 'AWSLogs/', suffix: '.json.gz' },
] as const;

/** The notification rules of a plan: the AWSLogs/ rules, and the Firehose prefix when there is one. */
export function notifyRules(plan: Pick<SetupPlan, 'firehosePrefix'>): ReadonlyArray<{ prefix: string; suffix?: string }> {
  return plan.firehosePrefix ? [...NOTIFY_RULES, { prefix: plan.firehosePrefix }] : NOTIFY_RULES;
}

/** Days SQS keeps a message: the longest it allows, so an outage of OpenSearch loses nothing. */
const RETENTION_SECONDS = 14 * 24 * 3600;

export interface AwsClients {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

/**
 * Creates (or finds) the bucket, the topic, the queue with its dead-letter queue, the subscription
 * and the bucket notification. Every step is idempotent, so `setup` can run at every deploy.
 */
export async function provision(aws: AwsClients, plan: SetupPlan): Promise<SetupResult> {
  await ensureBucket(aws.s3, plan.bucket, plan.region);
  const dlq = await ensureQueue(aws.sqs, plan.deadLetterQueue, { MessageRetentionPeriod: String(RETENTION_SECONDS) });
  const queue = await ensureQueue(aws.sqs, plan.queue, {
    MessageRetentionPeriod: String(RETENTION_SECONDS),
    VisibilityTimeout: String(plan.visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: plan.maxReceiveCount }),
  });
  const topic = await aws.sns.send(new CreateTopicCommand({ Name: plan.topic }));
  const topicArn = topic.TopicArn as string;
  await aws.sns.send(
    new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: topicPolicy(topicArn, plan.bucket) }),
  );
  await aws.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: queuePolicy(queue.arn, topicArn) } }));
  // Subscribe is idempotent in SNS (the same endpoint returns the existing subscription); the
  // delivery mode is set apart so that re-running setup can switch it.
  const sub = await aws.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn, ReturnSubscriptionArn: true }));
  await aws.sns.send(
    new SetSubscriptionAttributesCommand({
      SubscriptionArn: sub.SubscriptionArn,
      AttributeName: 'RawMessageDelivery',
      AttributeValue: String(plan.rawDelivery),
    }),
  );
  await aws.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: plan.bucket,
      NotificationConfiguration: {
        TopicConfigurations: notifyRules(plan).map((rule, i) => ({
          Id: `aws-log-indexer-${i}`,
          TopicArn: topicArn,
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: rule.prefix }, ...(rule.suffix ? [{ Name: 'suffix' as const, Value: rule.suffix }] : [])] } },
        })),
      },
    }),
  );
  return { bucket: plan.bucket, topicArn, queueUrl: queue.url, queueArn: queue.arn, deadLetterQueueUrl: dlq.url };
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    const location = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }));
  } catch (err) {
    if (err instanceof S3ServiceException && err.name === 'BucketAlreadyOwnedByYou') return;
    throw err;
  }
}

async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = created.QueueUrl as string;
  // Attributes are set apart from creation: CreateQueue refuses an existing queue whose attributes differ.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  const got = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: got.Attributes?.QueueArn as string };
}

function topicPolicy(topicArn: string, bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowBucketNotifications',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: topicArn,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } },
      },
    ],
  });
}

function queuePolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  });
}
