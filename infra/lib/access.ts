import { Aws, aws_iam as iam, type aws_sqs as sqs } from 'aws-cdk-lib';

/** How the workers reach OpenSearch, and so what the task role may do there. */
export type OpenSearchAccess =
  | { readonly auth: 'basic' }
  | { readonly auth: 'sigv4'; readonly domainArn: string }
  | { readonly auth: 'aoss'; readonly collectionArn: string };

/**
 * The task role's statements, least privilege: read the allowed buckets' prefixes, consume this
 * queue, write to this domain or collection. No wildcard action anywhere.
 */
export function workerStatements(bucketName: string, prefixes: readonly string[], queue: sqs.IQueue, opensearch: OpenSearchAccess): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadLogObjects', actions: ['s3:GetObject'],
      resources: prefixes.map((prefix) => `arn:${Aws.PARTITION}:s3:::${bucketName}/${prefix}*`),
    }),
    new iam.PolicyStatement({
      sid: 'ConsumeQueue',
      // GetQueueAttributes: the worker reads the redrive policy's maxReceiveCount at start.
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      resources: [queue.queueArn],
    }),
  ];
  if (opensearch.auth === 'sigv4') {
    statements.push(new iam.PolicyStatement({
      // POST: _bulk and the dead-letter store; PUT: index templates; GET: the health gate's probe.
      sid: 'WriteOpenSearch', actions: ['es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpGet'],
      resources: [opensearch.domainArn, `${opensearch.domainArn}/*`],
    }));
  }
  if (opensearch.auth === 'aoss') {
    // Serverless: data access policies of the collection say which indices; IAM only admits the API.
    statements.push(new iam.PolicyStatement({ sid: 'UseCollection', actions: ['aoss:APIAccessAll'], resources: [opensearch.collectionArn] }));
  }
  return statements;
}
