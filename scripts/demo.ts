/**
 * The demo behind `npm run demo` (scripts/demo.sh prepares the machine and the stack first):
 * setup → generated flow-log objects into the bucket → worker processes until the queue is
 * empty → what happened, and a small answer from OpenSearch.
 */
import { spawn } from 'node:child_process';
import { awsClients, readOptions } from '../src/context.js';
import { loadConfig } from '../src/config/load.js';
import { formatReport, runReport } from '../src/query/report.js';
import { createOpenSearchClient } from '../src/sink/opensearch.js';
import { indexNamesOf, installTemplates } from '../src/sink/template.js';
import { provision } from '../src/setup/provision.js';
import type { WorkerStats } from '../src/worker/stats.js';
import { uploadSamples } from '../src/sample/upload.js';

const OBJECTS = Number(process.env.DEMO_OBJECTS ?? 24);
const RECORDS = Number(process.env.DEMO_RECORDS ?? 10_000);
const WORKERS = Number(process.env.DEMO_WORKERS ?? 2);
const BUCKET = 'aws-log-indexer-demo';

const config = loadConfig();
const aws = awsClients(config);
const opensearch = createOpenSearchClient(config);
// Opened (and checked by our reader) before anything else, as every worker will: a bad file stops here.
await readOptions(config);
console.log(`enrichment: GeoIP ${config.geoipCityDb.join(', ') || 'off'}; ASN ${config.geoipAsnDb ?? 'off'} (both checked at open)`);

const setup = await provision(aws, {
  bucket: BUCKET, topic: 'aws-log-indexer-demo', queue: 'aws-log-indexer-demo', deadLetterQueue: 'aws-log-indexer-demo-dlq',
  maxReceiveCount: 5, visibilityTimeout: config.visibilityTimeout, region: config.region, rawDelivery: false,
});
// A clean slate for the demo's own indices, so the counts below are this run's.
await opensearch.indices.delete({ index: `${config.indexPrefix}-*` }, { ignore: [404] });
await installTemplates(opensearch, indexNamesOf(config));
console.log(`setup: bucket ${setup.bucket}, queue ${setup.queueUrl} (dead letters: ${setup.deadLetterQueueUrl})`);

const uploaded = await uploadSamples(aws.s3, BUCKET, OBJECTS, RECORDS);
console.log(`uploaded ${uploaded.objects} flow-log objects (${uploaded.records} records; default and all-fields custom formats)`);

console.log(`running ${WORKERS} worker processes until the queue is empty…`);
const started = Date.now();
const stats = await Promise.all(Array.from({ length: WORKERS }, () => runWorker(setup.queueUrl)));
const seconds = (Date.now() - started) / 1000;
const total = stats.reduce((a, s) => a + s.documents, 0);
const sum = (k: keyof WorkerStats) => stats.reduce((a, s) => a + s[k], 0);
console.log(`
objects:    ${sum('objects')} (${sum('objectsSkipped')} skipped, ${sum('objectsFailed')} failed)
records:    ${sum('lines')} (${sum('badLines')} unreadable lines)
documents:  ${total} (${sum('created')} created, ${sum('exists')} already there, ${sum('rejected') + sum('failed')} not indexed)
messages:   ${sum('messagesDeleted')} deleted, ${sum('testEvents')} s3:TestEvent
seconds:    ${seconds.toFixed(1)} (worker start to exit, ${WORKERS} processes)
records/s:  ${Math.round(sum('lines') / seconds)}
`);
console.log(formatReport(await runReport(opensearch, { indexPattern: `${config.indexPrefix}-*`, top: 5 })));
console.log(await asnSummary());
console.log(`Look further:
  curl -s '${config.opensearchUrl}/_cat/indices/${config.indexPrefix}-*?v'
  curl -s '${config.opensearchUrl}/${config.indexPrefix}-*/_search?q=action:REJECT&size=1&pretty'
  npx aws-log-indexer report --index-prefix ${config.indexPrefix}
  npx aws-log-indexer parse --output bulk <file.log.gz>
Stop the stack: npm run stack:down`);

function runWorker(queueUrl: string): Promise<WorkerStats> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/aws-log-indexer.js', 'worker', '--until-empty', '--queue-url', queueUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ALLOWED_BUCKETS: BUCKET },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerStats) : reject(new Error(`worker exited ${code}`))));
  });
}

/** How many documents carry an autonomous system, and the systems seen most (the ASN enrichment at work). */
async function asnSummary(): Promise<string> {
  const res = await opensearch.search({
    index: `${config.indexPrefix}-*`,
    body: {
      size: 0, track_total_hits: true, query: { exists: { field: 'srcaddr_as.number' } },
      aggs: { as: { terms: { field: 'srcaddr_as.organization', size: 5 }, aggs: { number: { max: { field: 'srcaddr_as.number' } } } } },
    } as never,
  });
  const body = res.body as unknown as { hits: { total: { value: number } }; aggregations: { as: { buckets: Array<{ key: string; doc_count: number; number: { value: number } }> } } };
  const lines = [`Documents whose source has an autonomous system (srcaddr_as): ${body.hits.total.value}`];
  for (const b of body.aggregations.as.buckets) lines.push(`  AS${String(b.number.value).padEnd(8)} ${b.key.padEnd(32)} ${String(b.doc_count).padStart(8)} documents`);
  return `${lines.join('\n')}\n`;
}
