/**
 * `query` over the index and straight from S3, on eleven hand-written flow records and four
 * CloudTrail events (test/fixtures/query/records.ts) whose answers are worked out by hand below.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { kindSpec } from '../../src/query/fields.js';
import { searchDocuments } from '../../src/query/search.js';
import { QUERY_OBJECTS, QUERY_PREFIX, QUERY_RECORDS, QUERY_TRAIL, objectText, type RecordNumber } from '../fixtures/query/records.js';
import { dropStack, newStack, putObject, spawnCli, type TestStack } from '../helpers/stack.js';

const R = QUERY_RECORDS;
type N = RecordNumber;
const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
/** What `--format lines` prints for records, in that order: the 14 v2 fields. */
const lines = (...ns: N[]) => [V2, ...ns.map((n) => R[n].split(' ').slice(0, 14).join(' '))].join('\n') + '\n';

const PREFIX = QUERY_PREFIX;

describe('query', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'query', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const query = (...args: string[]) => {
    const r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const queryAsync = async (...args: string[]) => {
    const exit = await spawnCli(['query', ...args], env).exited;
    assert.equal(exit.code, 0, exit.log);
    return exit.stdout;
  };
  /** The same question from S3 gives the same stdout (both run at once: the CLI's start-up dominates). */
  const both = async (args: string[], expected: string) => {
    const [index, s3] = await Promise.all([queryAsync(...args), queryAsync(`s3://${stack.bucket}/${PREFIX}`, ...args)]);
    assert.equal(index, expected, `from the index: ${args.join(' ')}`);
    assert.equal(s3, expected, `from S3: ${args.join(' ')}`);
  };

  before(async () => {
    stack = await newStack();
    env = { INDEX_PREFIX: stack.config.indexPrefix, CLOUDTRAIL_INDEX_PREFIX: stack.config.cloudtrailIndexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex };
    for (const { key, records } of QUERY_OBJECTS) await putObject(stack, key, objectText(records));
    await putObject(stack, QUERY_TRAIL.key, readFileSync(QUERY_TRAIL.file, 'utf8'));
    const re = spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'reprocess', `s3://${stack.bucket}/AWSLogs/`], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(re.status, 0, re.stderr);
    assert.equal((JSON.parse(re.stdout) as { created: number }).created, 15);
    await stack.opensearch.indices.refresh({ index: `${stack.config.indexPrefix}-*,${stack.config.cloudtrailIndexPrefix}-*` });
  });
  after(() => dropStack(stack));

  it('findip in a time range: what talked to 54.245.120.220 between 10:59 and 11:00 (11:00 itself excluded)', async () => {
    await both(['--since', '2026-11-22T10:59', '--until', '2026-11-22T11:00:00Z', 'findip', '54.245.120.220'], lines(6));
  });

  it('findip on either side, in time order; a CIDR block; an address only pkt-dstaddr holds', async () => {
    await Promise.all([
      both(['findip', '54.245.120.220'], lines(1, 2, 6, 8, 11)),
      both(['findip', '203.0.113.0/24'], lines(7, 9)),
      both(['findip', '10.9.9.9'], lines(4)),
    ]);
  });

  it('--where field=value and !=, repeated; a status record prints - as AWS writes it', async () => {
    await Promise.all([
      both(['--where', 'action=REJECT', '--where', 'dstport=22'], lines(3, 7)),
      both(['--where', 'action=REJECT', '--where', 'dstport!=22'], lines(9)),
      both(['--where', 'log-status=NODATA'], lines(5)),
      both(['--where', 'srcaddr=172.20.0.0/28', '--where', 'protocol=17'], lines(10)),
    ]);
  });

  it('an ISO time with an offset is that instant: 11:59+01:00 is 10:59 UTC', async () => {
    await both(['--since', '2026-11-22T11:59+01:00', '--until', '2026-11-22T12:00:00+01:00', 'findip', '54.245.120.220'], lines(6));
  });

  it('relative times: everything is older than a minute, nothing newer; now; --limit; --no-header', async () => {
    await Promise.all([
      both(['--until', '1m'], lines(1, 2, 3, 4, 5, 10, 7, 6, 8, 9, 11)),
      both(['--until', 'now', '--where', 'action=REJECT'], lines(3, 7, 9)),
      both(['--since', '1m'], lines()),
      both(['--limit', '2'], lines(1, 2)),
    ]);
    assert.equal(query('--no-header', '--limit', '1'), lines(1).split('\n')[1] + '\n');
  });

  it('--top FIELD --by bytes | packets | flows, ranked highest first, --limit values', async () => {
    await Promise.all([
      both(['--top', 'srcaddr', '--by', 'bytes', '--limit', '3'], 'srcaddr bytes\n172.20.0.10 25850\n172.20.0.11 9000\n54.245.120.220 3000\n'),
      both(['--where', 'srcaddr=172.20.0.10', '--top', 'dstaddr', '--by', 'bytes'], 'dstaddr bytes\n54.245.120.220 25700\n8.8.8.8 150\n'),
      both(['--top', 'srcaddr', '--by', 'packets'], 'srcaddr packets\n172.20.0.10 47\n172.20.0.11 20\n54.245.120.220 8\n172.20.0.12 4\n203.0.113.9 3\n198.51.100.7 1\n'),
      both(['--where', 'action=REJECT', '--top', 'dstport', '--by', 'flows', '--format', 'csv'], 'dstport,flows\n22,2\n3389,1\n'),
    ]);
  });

  it('--format csv, json and table with --fields', async () => {
    const rejects = ['--where', 'action=REJECT', '--fields', 'srcaddr,dstport,action,pkt-dstaddr'];
    await Promise.all([
      both([...rejects, '--format', 'csv'], 'srcaddr,dstport,action,pkt-dstaddr\n198.51.100.7,22,REJECT,172.20.0.10\n203.0.113.9,22,REJECT,172.20.0.10\n203.0.113.9,3389,REJECT,172.20.0.10\n'),
      both([...rejects, '--format', 'table'], [
        'srcaddr       dstport  action  pkt-dstaddr',
        '198.51.100.7  22       REJECT  172.20.0.10',
        '203.0.113.9   22       REJECT  172.20.0.10',
        '203.0.113.9   3389     REJECT  172.20.0.10', ''].join('\n')),
    ]);
    const docs = query(...rejects, '--format', 'json').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(docs.map((d) => [d['srcaddr'], d['dstport'], d['@timestamp']]), [
      ['198.51.100.7', 22, '2026-11-22T10:55:10.000Z'], ['203.0.113.9', 22, '2026-11-22T10:59:10.000Z'], ['203.0.113.9', 3389, '2026-11-22T11:00:10.000Z'],
    ]);
  });

  it('from S3 reads only the objects whose key times fall in the range (with --key-lag either side)', () => {
    const r = run(`s3://${stack.bucket}/AWSLogs/`, '--since', '2026-11-22T12:00Z', '--until', '2026-11-22T13:00Z');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, lines(11));
    assert.match(r.stderr, /^1 objects read, 3 outside the time range by their keys, 0 without a time in their keys left out$/m);
  });

  it('from S3, --key-lag widens the keys\' range and --concurrency 1 reads the same lines', () => {
    const range = [`s3://${stack.bucket}/${PREFIX}`, '--since', '2026-11-22T11:20Z', '--until', '2026-11-22T12:00Z'];
    const summary = (r: ReturnType<typeof run>) => r.stderr.split('\n').find((l) => l.includes('objects read'));
    const narrow = run(...range);
    const wide = run(...range, '--key-lag', '30m', '--concurrency', '1');
    assert.equal(narrow.status, 0, narrow.stderr);
    assert.equal(wide.status, 0, wide.stderr);
    assert.equal(summary(narrow), '1 objects read, 2 outside the time range by their keys, 0 without a time in their keys left out');
    assert.equal(summary(wide), '2 objects read, 1 outside the time range by their keys, 0 without a time in their keys left out');
    assert.equal(narrow.stdout, lines());
    assert.equal(wide.stdout, lines());
    assert.equal(query(`s3://${stack.bucket}/${PREFIX}`, '--concurrency', '1', 'findip', '203.0.113.0/24'), lines(7, 9));
  });

  it('pages with search_after: pages of 2 give every record once, in time order', async () => {
    const starts: unknown[] = [];
    for await (const doc of searchDocuments(stack.opensearch, `${stack.config.indexPrefix}-*`, kindSpec('flows'), { range: {}, where: [] }, undefined, 2)) starts.push(doc['start']);
    assert.deepEqual(starts, ([1, 2, 3, 4, 5, 10, 7, 6, 8, 9, 11] as N[]).map((n) => Number(R[n].split(' ')[10])));
  });

  it('from S3 on a terminal, draws a progress line on stderr', () => {
    const cmd = `${process.execPath} bin/aws-log-indexer.js query s3://${stack.bucket}/${PREFIX} --limit 1 >/dev/null`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /\robjects 3\/3 +\S+ \S+\/\S+ \S+ +\d+ records\/s +11 matched/);
  });

  it('CloudTrail: --where eventName and userIdentity.arn, --top eventName', () => {
    const arn = 'arn:aws:iam::123456789012:user/Mateo';
    assert.equal(query('cloudtrail', '--where', 'eventName=StopInstances', '--where', `userIdentity.arn=${arn}`),
      `eventTime eventSource eventName awsRegion sourceIPAddress userIdentity.arn errorCode\n2023-07-19T21:18:39Z ec2.amazonaws.com StopInstances us-east-1 192.0.2.0 ${arn} -\n`);
    assert.equal(query('cloudtrail', '--top', 'eventName', '--no-header'), 'AssumeRole 1\nCreateUser 1\nStartInstances 1\nStopInstances 1\n');
    assert.equal(query('cloudtrail', '--top', 'eventSource', '--by', 'events'), 'eventSource events\nec2.amazonaws.com 2\niam.amazonaws.com 1\nsts.amazonaws.com 1\n');
    assert.equal(query(`s3://${stack.bucket}/AWSLogs/`, 'cloudtrail', 'findip', '192.0.2.0', '--fields', 'eventName'), 'eventName\nStopInstances\nCreateUser\n');
  });

  it('refuses a field the index does not have, a bad address and a bad time, naming them (exit 64)', () => {
    for (const [args, message] of [
      [['--where', 'colour=red'], /--where: "colour" is not a field of the flows index/],
      [['findip', '300.1.1.1'], /findip "300.1.1.1": an IPv4 or IPv6 address or CIDR block/],
      [['--since', 'yesterday'], /--since "yesterday": an ISO time/],
      [['--top', 'srcaddr', '--by', 'bytes', 'cloudtrail'], /--top: "srcaddr" is not a field of the cloudtrail index/],
      [[`s3://${stack.bucket}/${PREFIX}`, '--concurrency', '0'], /--concurrency/],
      [[`s3://${stack.bucket}/${PREFIX}`, '--key-lag', 'soon'], /--key-lag "soon": a duration/],
    ] as const) {
      const r = run(...args);
      assert.equal(r.status, 64, r.stderr);
      assert.match(r.stderr, message);
    }
  });
});
