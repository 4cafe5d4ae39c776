/**
 * `npm run demo:query` (scripts/demo.sh starts the stack first): the records the README's
 * troubleshooting session asks about (test/fixtures/query/records.ts, the ones
 * test/integration/query.test.ts checks) go into a bucket of the emulator and, through `reprocess`,
 * into indices of their own, so that every command of the session prints what the README shows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { awsClients } from '../src/context.js';
import { loadConfig } from '../src/config/load.js';
import { createOpenSearchClient } from '../src/sink/opensearch.js';
import { indexNamesOf, installTemplates } from '../src/sink/template.js';
import { QUERY_OBJECTS, QUERY_TRAIL, objectText } from '../test/fixtures/query/records.js';

const BUCKET = 'aws-log-indexer-query-demo';
const PREFIXES = { INDEX_PREFIX: 'demo-query-vpcflowlogs', CLOUDTRAIL_INDEX_PREFIX: 'demo-query-cloudtrail' };
const env = { ...process.env, ...PREFIXES };
const config = loadConfig(env);
const aws = awsClients(config);
const opensearch = createOpenSearchClient(config);

// A clean slate for this demo's own indices (nothing else is touched), so the answers are the README's.
await opensearch.indices.delete({ index: `${PREFIXES.INDEX_PREFIX}-*,${PREFIXES.CLOUDTRAIL_INDEX_PREFIX}-*` }, { ignore: [404] });
await installTemplates(opensearch, indexNamesOf(config));
await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((err: Error) => {
  if (err.name !== 'BucketAlreadyOwnedByYou') throw err;
});
const put = (key: string, text: string) => aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(text) }));
for (const { key, records } of QUERY_OBJECTS) await put(key, objectText(records));
await put(QUERY_TRAIL.key, readFileSync(QUERY_TRAIL.file, 'utf8'));

const re = spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'reprocess', `s3://${BUCKET}/AWSLogs/`], { encoding: 'utf8', env });
if (re.status !== 0) throw new Error(`reprocess failed (exit ${re.status}): ${re.stderr}`);
await opensearch.indices.refresh({ index: `${PREFIXES.INDEX_PREFIX}-*,${PREFIXES.CLOUDTRAIL_INDEX_PREFIX}-*` });
const { created } = JSON.parse(re.stdout) as { created: number };
console.log(`indexed ${created} documents from s3://${BUCKET}/AWSLogs/ (11 flow records, 4 CloudTrail events)
In your shell, for the session in the README (Troubleshooting with \`query\`):
  export INDEX_PREFIX=${PREFIXES.INDEX_PREFIX} CLOUDTRAIL_INDEX_PREFIX=${PREFIXES.CLOUDTRAIL_INDEX_PREFIX} OPENSEARCH_URL=${config.opensearchUrl} AWS_ENDPOINT_URL=${config.endpointUrl ?? ''} AWS_REGION=${config.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
  alias aws-log-indexer='node bin/aws-log-indexer.js'`);
