/**
 * What integration tests make, found and removed by name: every test names its indices,
 * templates, buckets, topics and queues after one unique prefix (`t-<hex>`, `cttest-…`), so a
 * sweep by that prefix removes all of it, whatever step a failed test stopped at. The same
 * listing tells the suite's last check what a test left behind.
 */
import { DeleteBucketCommand, DeleteObjectsCommand, ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DeleteTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../src/setup/provision.js';
import type { createOpenSearchClient } from '../../src/sink/opensearch.js';

type OpenSearch = ReturnType<typeof createOpenSearchClient>;

/** Things on the node or in the emulator whose name starts with one of the prefixes, by kind. */
export interface Found {
  readonly indices: string[];
  readonly templates: string[];
  readonly buckets: string[];
  readonly topics: string[];
  readonly queues: string[];
}

const starts = (prefixes: readonly string[]) => (name: string) => prefixes.some((p) => name.startsWith(p));

/** Indices and index templates named `<prefix>…`. */
async function onNode(opensearch: OpenSearch, prefixes: readonly string[]): Promise<Pick<Found, 'indices' | 'templates'>> {
  const pattern = prefixes.map((p) => `${p}*`).join(',');
  const cat = await opensearch.cat.indices({ index: pattern, format: 'json', expand_wildcards: 'all' } as never, { ignore: [404] });
  const indices = ((cat.body ?? []) as Array<{ index: string }>).map((i) => i.index).filter(starts(prefixes));
  const templates: string[] = [];
  // One pattern per request: the template API takes no comma-separated list.
  for (const prefix of prefixes) {
    const got = await opensearch.indices.getIndexTemplate({ name: `${prefix}*` } as never, { ignore: [404] });
    templates.push(...((got.body as { index_templates?: Array<{ name: string }> }).index_templates ?? []).map((t) => t.name).filter(starts(prefixes)));
  }
  return { indices: indices.sort(), templates: templates.sort() };
}

/** Buckets, topic ARNs and queue URLs named `<prefix>…` in the emulator. */
async function inEmulator(aws: AwsClients, prefixes: readonly string[]): Promise<Pick<Found, 'buckets' | 'topics' | 'queues'>> {
  const buckets = ((await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '').filter(starts(prefixes));
  const topics: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.sns.send(new ListTopicsCommand({ NextToken: token }));
    topics.push(...(page.Topics ?? []).map((t) => t.TopicArn ?? '').filter((arn) => starts(prefixes)(arn.split(':').pop() ?? '')));
    token = page.NextToken;
  } while (token);
  const queues: string[] = [];
  for (const prefix of prefixes) queues.push(...((await aws.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? []));
  return { buckets: buckets.sort(), topics: topics.sort(), queues: queues.sort() };
}

/** Everything named `<prefix>…` on the node and in the emulator. */
export async function findNamed(aws: AwsClients, opensearch: OpenSearch, prefixes: readonly string[]): Promise<Found> {
  return { ...(await onNode(opensearch, prefixes)), ...(await inEmulator(aws, prefixes)) };
}

/** Empties a bucket page by page, then deletes it. */
async function deleteBucket(aws: AwsClients, bucket: string): Promise<void> {
  for (;;) {
    const page = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key ?? '' }));
    if (keys.length === 0) break;
    await aws.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
  await aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

async function deleteTopic(aws: AwsClients, topicArn: string): Promise<void> {
  const subs = await aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  for (const sub of subs.Subscriptions ?? []) if (sub.SubscriptionArn?.startsWith('arn:')) await aws.sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
  await aws.sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
}

/** Deletes everything named `<prefix>…`: indices, index templates, buckets with their objects, topics with their subscriptions, queues. */
export async function removeNamed(aws: AwsClients, opensearch: OpenSearch, prefix: string): Promise<void> {
  // The node and the emulator are cleaned apart: a node that refuses or is gone (a secured node
  // stopped, a password rotated) must not leave the stack's bucket, topic and queues behind.
  const results = await Promise.allSettled([
    (async () => {
      const found = await onNode(opensearch, [prefix]);
      if (found.indices.length > 0) await opensearch.indices.delete({ index: found.indices.join(',') }, { ignore: [404] });
      for (const name of found.templates) await opensearch.indices.deleteIndexTemplate({ name }, { ignore: [404] });
    })(),
    (async () => {
      const found = await inEmulator(aws, [prefix]);
      for (const bucket of found.buckets) await deleteBucket(aws, bucket);
      for (const topic of found.topics) await deleteTopic(aws, topic);
      for (const queue of found.queues) await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: queue }));
    })(),
  ]);
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw new AggregateError(errors, `removing what ${prefix} made: ${errors.map(String).join('; ')}`);
}
