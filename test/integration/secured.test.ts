/**
 * A real secured OpenSearch (security plugin, TLS from the run's CA, basic auth) and the worker
 * as the least-privilege `log-indexer` user: indexing over verified HTTPS, a wrong CA refused, the
 * role confined to our indices, and a password rotated mid-run. The two fault rows print as a
 * table like the fault suite's, audited the same way (by provenance: none lost, none doubled).
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { createOpenSearchClient, probeOpenSearch } from '../../src/sink/opensearch.js';
import { Expected, FaultTable, type FaultRow } from '../helpers/faults-table.js';
import { SECURE_URL, WORKER_USER, secureNode, type SecureNode } from '../helpers/secure-node.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, spawnWorker, until, type TestStack, type WorkerExit } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 10, 0) / 1000;
const ACCOUNT = '123456789012';
const table = new FaultTable();
const stacks: TestStack[] = [];
const children = new Set<ChildProcess>();
const tmp = mkdtempSync(join(tmpdir(), 'secured-'));
let node: SecureNode;

/** A stack whose OpenSearch is the secured node, set up as admin. */
async function securedStack(): Promise<TestStack> {
  const stack = await newStack({
    settings: { opensearchUrl: SECURE_URL, opensearchUsername: 'admin', opensearchPassword: node.password('admin'), opensearchCaFile: node.caFile },
  });
  stacks.push(stack);
  return stack;
}

/** The worker's settings on the secured node; its password in a file of its own (rotated by a test). */
function workerEnv(passwordFile: string, caFile = node.caFile): Record<string, string> {
  return { OPENSEARCH_URL: SECURE_URL, OPENSEARCH_USERNAME: WORKER_USER, OPENSEARCH_PASSWORD_FILE: passwordFile, OPENSEARCH_CA_FILE: caFile };
}

function worker(stack: TestStack, env: Record<string, string>, args?: string[]): { child: ChildProcess; exited: Promise<WorkerExit> } {
  const w = spawnWorker(stack, env, args);
  children.add(w.child);
  void w.exited.finally(() => children.delete(w.child)).catch(() => undefined);
  return w;
}

async function putSamples(stack: TestStack, expected: Expected, name: string, count: number, records: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const key = flowLogKey(ACCOUNT, 'us-east-1', `fl-${name}`, START + i * 60, `${name}${i}`);
    await putObject(stack, key, `${[...sampleLines({ seed: 100 + i, records, format: SampleFormat.default, start: START })].join('\n')}\n`);
    expected.add(stack.bucket, key, 2, records + 1);
  }
}

function assertExactlyOnce(row: FaultRow): void {
  assert.deepEqual({ lost: row.lost, duplicated: row.duplicated, unexpected: row.unexpected, queueLeft: row.queueLeft, dlq: row.dlq }, { lost: 0, duplicated: 0, unexpected: 0, queueLeft: 0, dlq: 0 }, row.fault);
  assert.equal(row.indexed, row.expected);
}

/** Sets the worker user's password as an operator rotating it would (the security plugin's REST API, as admin). */
async function setWorkerPassword(stack: TestStack, password: string): Promise<void> {
  await stack.opensearch.transport.request({
    method: 'PUT', path: `/_plugins/_security/api/internalusers/${WORKER_USER}`,
    body: { password, description: 'the worker: writes to its indices, nothing else' },
  });
}

/** Empties the security plugin's cache of authenticated users (as admin). */
async function flushAuthCache(stack: TestStack): Promise<void> {
  await stack.opensearch.transport.request({ method: 'DELETE', path: '/_plugins/_security/api/cache' });
}

describe('secured OpenSearch: TLS, basic auth, least-privilege worker', { concurrency: false }, () => {
  before(async () => {
    node = await secureNode();
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    console.log(`\nsecured node: exactly-once audit by provenance (log.object, log.line)\n${table.render()}\n`);
    await Promise.all(stacks.map((s) => dropStack(s).catch(() => undefined)));
    rmSync(tmp, { recursive: true, force: true });
    await node?.release();
  });

  it('the worker indexes over HTTPS, verifying the CA, as the least-privilege user', { timeout: 180_000 }, async () => {
    const stack = await securedStack();
    const expected = new Expected();
    await putSamples(stack, expected, 'tls', 3, 2000);
    const exit = await worker(stack, workerEnv(node.passwordFile(WORKER_USER))).exited;
    assert.equal(exit.code, 0, exit.log.slice(-3000));
    assert.equal(exit.stats?.created, 6000);
    assertExactlyOnce(await table.record('secured node over TLS', stack, { objects: 3, records: 6000 }, expected));
  });

  it('the worker role writes to its indices and touches nothing else', { timeout: 60_000 }, async () => {
    const stack = await securedStack();
    const client = createOpenSearchClient({ ...stack.config, opensearchUsername: WORKER_USER, opensearchPassword: node.password(WORKER_USER) });
    const own = `${stack.config.indexPrefix}-2026.11.22`;
    const other = `other-${randomBytes(3).toString('hex')}`;
    const bulk = async (index: string) => (await client.transport.request({
      method: 'POST', path: '/_bulk', bulkBody: `${JSON.stringify({ create: { _index: index, _id: '1' } })}\n{"x":1}\n`,
    })).body as { items: Array<{ create: { status: number; error?: { type: string } } }> };
    assert.equal((await bulk(own)).items[0]?.create.status, 201, 'creates in its own index');
    assert.equal(await probeOpenSearch(client, stack.config.deadLetterIndex), undefined, 'the health probe passes with the worker role');
    const refused = (await bulk(other)).items[0]?.create;
    assert.deepEqual([refused?.status, refused?.error?.type], [403, 'security_exception'], 'no writes elsewhere');
    const status = (p: Promise<unknown>) => p.then(() => 200, (err: { statusCode?: number }) => err.statusCode);
    assert.equal(await status(client.search({ index: own })), 403, 'cannot read, even its own index');
    assert.equal(await status(client.indices.delete({ index: own })), 403, 'cannot delete');
    assert.equal(await status(client.indices.putIndexTemplate({ name: other, body: { index_patterns: [`${other}*`] } })), 403, 'cannot change templates');
    assert.equal(await status(client.cluster.getSettings()), 403, 'no cluster administration');
    assert.equal(await status(stack.opensearch.indices.exists({ index: other }).then((r) => (r.body ? Promise.reject(Object.assign(new Error('exists'), { statusCode: 409 })) : r))), 200, 'the other index was never created');
  });

  it('a wrong CA is refused with a clear error: nothing is sent, nothing deleted, never insecure', { timeout: 120_000 }, async () => {
    const stack = await securedStack();
    const wrongCa = join(tmp, 'wrong-ca.pem');
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=not the CA', '-keyout', join(tmp, 'wrong-ca.key'), '-out', wrongCa]);
    const expected = new Expected();
    await putSamples(stack, expected, 'wrongca', 1, 100);
    const w = worker(stack, workerEnv(node.passwordFile(WORKER_USER), wrongCa), []);
    let log = '';
    w.child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await until('the worker to pause, naming the TLS problem', () => /polling paused/.test(log), 60_000);
    assert.match(log, /"detail":"[^"]*TLS certificate of OpenSearch not trusted: [^"]*certificate[^"]*: set OPENSEARCH_CA_FILE[^"]*","msg":"OpenSearch unavailable or refusing us: polling paused"/);
    // The object's message and S3's s3:TestEvent: the test event is gone only if the worker polled
    // before its start-up check or a failed _bulk closed the gate; the object's message is kept either way.
    const left = await queueDepth(stack, 'main');
    assert.ok(left === 1 || left === 2, `the object's message is kept (${left} left)`);
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 0);
    assert.equal(await countDocs(stack), 0, 'nothing reached the index');
  });

  it('password rotated mid-run: the worker pauses with nothing deleted and resumes once the password file is updated', { timeout: 300_000 }, async () => {
    const stack = await securedStack();
    const original = node.password(WORKER_USER);
    const passwordFile = join(tmp, 'worker.password');
    writeFileSync(passwordFile, original);
    const OBJECTS = 6;
    // Uploaded once the password is rotated: only the new password can index them. The worker may
    // have indexed all the first ones by then (it did, in half a second, on a fast machine), and a
    // worker with nothing left to send meets no 401.
    const LATE = 2;
    const RECORDS = 3000;
    const expected = new Expected();
    await putSamples(stack, expected, 'rotate', OBJECTS, RECORDS);
    // Not --until-empty: the queue may be empty for a moment between the two uploads.
    const w = worker(stack, { ...workerEnv(passwordFile), BULK_MAX_DOCS: '200', BULK_CONCURRENCY: '1', RETRY_DELAY_SECONDS: '2', LOG_LEVEL: 'info' }, []);
    let log = '';
    w.child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const rotated = `${randomBytes(12).toString('hex')}Aa1!`;
    try {
      await until('indexing to start', async () => (await countDocs(stack)) >= 1000, 120_000);
      await setWorkerPassword(stack, rotated);
      // The node's word first: the late objects go up only once the old password is refused.
      const oldPassword = createOpenSearchClient({ ...stack.config, opensearchUsername: WORKER_USER, opensearchPassword: original });
      try {
        // The security plugin caches authenticated users; an operator rotating a password flushes
        // that cache, and so does each attempt here, so no cached login outlives the rotation.
        await until('the node to refuse the old password', async () => {
          await flushAuthCache(stack);
          return oldPassword.info().then(() => false, (err: { statusCode?: number }) => err.statusCode === 401);
        }, 120_000);
      } finally {
        await oldPassword.close();
      }
      await putSamples(stack, expected, 'rotated', LATE, RECORDS);
      await until('the worker to pause on HTTP 401', () => /polling paused.*HTTP 401|HTTP 401.*polling paused/.test(log), 90_000).catch((err: Error) => {
        const warnings = log.split('\n').filter((line) => /"level":[456]0/.test(line)).slice(-20).join('\n');
        throw new Error(`${err.message}; the worker ${w.child.exitCode === null ? 'runs' : `exited with ${w.child.exitCode}`}; its last warnings:\n${warnings}\nits log ends:\n${log.slice(-2000)}`);
      });
      const held = await queueDepth(stack, 'main');
      const indexed = await countDocs(stack);
      assert.ok(held > 0, 'messages were in work');
      for (let i = 0; i < 4; i++) {
        await sleep(2500);
        assert.equal(await queueDepth(stack, 'main'), held, 'no message is deleted while the password is refused');
        assert.equal(w.child.exitCode, null, 'the worker waits');
      }
      assert.equal(await countDocs(stack), indexed, 'nothing is indexed with a refused password');
      writeFileSync(passwordFile, `${rotated}\n`); // the secret store delivers the new password
      const total = (OBJECTS + LATE) * RECORDS;
      await until('every document indexed and the queue empty', async () => (await countDocs(stack)) >= total && (await queueDepth(stack, 'main')) === 0, 120_000);
      w.child.kill('SIGTERM');
      const exit = await w.exited;
      assert.equal(exit.code, 0, exit.log.slice(-3000));
      assert.match(log, /polling resumes/);
    } finally {
      await setWorkerPassword(stack, original); // the node as it was
    }
    assertExactlyOnce(await table.record('OpenSearch password rotated mid-run', stack, { objects: OBJECTS + LATE, records: (OBJECTS + LATE) * RECORDS }, expected));
  });
});
