/**
 * The CDK app. Structural choices come from context (`-c name=value` or cdk.json):
 *   logBucket=NAME            an existing log bucket (default: a new one)
 *   logPrefixes=A/,B/         key prefixes to read and be notified of (default AWSLogs/)
 *   arm64=true                Graviton tasks
 *   opensearchAuth=sigv4|aoss|basic (default sigv4)
 *   opensearchDomainArn=ARN   sigv4 on an existing domain; or newDomain=true for a small new one
 *   opensearchCollectionArn=ARN  aoss (Serverless)
 *   opensearchSecretArn=ARN   basic: a Secrets Manager secret {"username","password"} (default: a new one)
 * Numbers that change without a new template are CloudFormation parameters (see the stack).
 * `cdk synth` needs no credentials and no Docker: the image's folder is only staged.
 */
import { App } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { LogIndexerStack, type LogIndexerProps } from '../lib/log-indexer-stack.js';

const app = new App();
const ctx = (name: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === '' ? undefined : String(value);
};

function opensearchProps(): LogIndexerProps['opensearch'] {
  const auth = ctx('opensearchAuth') ?? 'sigv4';
  if (auth === 'basic') return { auth, secretArn: ctx('opensearchSecretArn') };
  if (auth === 'aoss') {
    const collectionArn = ctx('opensearchCollectionArn');
    if (!collectionArn) throw new Error('opensearchAuth=aoss needs -c opensearchCollectionArn=ARN');
    return { auth, collectionArn };
  }
  if (auth !== 'sigv4') throw new Error(`opensearchAuth=${auth}: sigv4, aoss or basic expected`);
  return { auth, domainArn: ctx('opensearchDomainArn'), newDomain: ctx('newDomain') === 'true' };
}

new LogIndexerStack(app, ctx('stackName') ?? 'AwsLogIndexer', {
  imageDirectory: fileURLToPath(new URL('../../', import.meta.url)),
  logBucketName: ctx('logBucket'),
  logPrefixes: ctx('logPrefixes')?.split(',').map((p) => p.trim()).filter(Boolean),
  arm64: ctx('arm64') === 'true',
  opensearch: opensearchProps(),
});
app.synth();
