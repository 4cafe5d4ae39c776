/**
 * The demo behind `npm run demo:cwl` (scripts/demo.sh prepares the machine and the stack first):
 * the same flow logs reach OpenSearch from S3 (`reprocess`) and from CloudWatch Logs (`cwl`), and
 * land side by side in the same daily indices, with the same fields.
 */
import { spawn } from 'node:child_process';
import { CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { awsClients } from '../src/context.js';
import { loadConfig } from '../src/config/load.js';
import { SampleFormat, flowLogKey, sampleLines } from '../src/sample/flow-logs.js';
import { cloudWatchLogsClient } from '../src/source/cloudwatch-logs.js';
import { createOpenSearchClient } from '../src/sink/opensearch.js';
import { indexNamesOf, installTemplates } from '../src/sink/template.js';

const STREAMS = Number(process.env.DEMO_CWL_STREAMS ?? 4);
const EVENTS = Number(process.env.DEMO_CWL_EVENTS ?? 2000);
const BUCKET = 'aws-log-indexer-demo-cwl';
const GROUP = '/aws-log-indexer-demo/vpc-flow-logs';
const CHECKPOINTS = 'aws-log-indexer-demo-cwl-checkpoints';
const START = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3600;

const config = loadConfig();
const aws = awsClients(config);
const logs = cloudWatchLogsClient({ region: config.region, endpointUrl: config.endpointUrl });
const opensearch = createOpenSearchClient(config);

// A clean slate: the demo's indices, checkpoints and log group are this run's only.
await opensearch.indices.delete({ index: `${config.indexPrefix}-*,${CHECKPOINTS}`, ignore_unavailable: true }, { ignore: [404] });
await installTemplates(opensearch, indexNamesOf(config));
await logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP })).catch(() => undefined);

// The same kind of traffic both ways: flow-log objects in S3 and flow-log events in CloudWatch Logs.
await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
for (let i = 0; i < STREAMS; i++) {
  const body = gzipSync(`${[...sampleLines({ seed: 100 + i, records: EVENTS, format: SampleFormat.default, start: START })].join('\n')}\n`);
  await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: flowLogKey('123456789012', config.region, `fl-${i}`, START + 300, '.log.gz'), Body: body }));
}
await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
for (let i = 0; i < STREAMS; i++) {
  const stream = `eni-0demo${i}-all`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  const messages = [...sampleLines({ seed: 200 + i, records: EVENTS, format: SampleFormat.default, start: START })].slice(1);
  for (let j = 0; j < messages.length; j += 5000) {
    const logEvents = messages.slice(j, j + 5000).map((message, k) => ({ timestamp: START * 1000 + j + k, message }));
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents }));
  }
}
console.log(`put ${STREAMS} flow-log objects into s3://${BUCKET} and ${STREAMS} streams of ${EVENTS} events into ${GROUP}`);

await cli(['reprocess', `s3://${BUCKET}/AWSLogs/`], 'S3 (reprocess)');
await cli(['cwl', '--cwl-log-groups', GROUP, '--cwl-checkpoint-index', CHECKPOINTS, '--until-caught-up'], 'CloudWatch Logs (cwl)');
// Once more: the checkpoints say everything was read, so nothing is read again.
await cli(['cwl', '--cwl-log-groups', GROUP, '--cwl-checkpoint-index', CHECKPOINTS, '--until-caught-up'], 'CloudWatch Logs (cwl, again)');

await opensearch.indices.refresh({ index: `${config.indexPrefix}-*` });
const res = await opensearch.search({
  index: `${config.indexPrefix}-*`,
  body: {
    size: 0,
    aggs: {
      indices: {
        terms: { field: '_index', size: 20 },
        aggs: { from_s3: { filter: { exists: { field: 'log.object' } } }, from_cwl: { filter: { exists: { field: 'log.group' } } } },
      },
    },
  },
} as never);
type Bucket = { key: string; doc_count: number; from_s3: { doc_count: number }; from_cwl: { doc_count: number } };
const buckets = (res.body as unknown as { aggregations: { indices: { buckets: Bucket[] } } }).aggregations.indices.buckets;
console.log('\nindex                              documents   from S3   from CloudWatch Logs');
for (const b of buckets) console.log(`${b.key.padEnd(34)} ${String(b.doc_count).padStart(9)} ${String(b.from_s3.doc_count).padStart(9)} ${String(b.from_cwl.doc_count).padStart(22)}`);
console.log(`
Look further:
  curl -s '${config.opensearchUrl}/${config.indexPrefix}-*/_search?q=_exists_:log.group&size=1&pretty'
  curl -s '${config.opensearchUrl}/${CHECKPOINTS}/_search?pretty'      # positions and leases per stream
Stop the stack: npm run stack:down`);

function cli(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/aws-log-indexer.js', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${what}: exit ${code}`));
      console.log(`${what}: ${out.trim().split('\n').pop()}`);
      resolve();
    });
  });
}
