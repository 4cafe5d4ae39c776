/**
 * CloudWatch Logs on the local emulator for the `cwl` and subscription tests: log groups with
 * streams of flow-log events, `cwl` processes (the compiled CLI), and what the checkpoint index holds.
 */
import {
  CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, FilterLogEventsCommand, PutLogEventsCommand, type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { SampleFormat, sampleLines } from '../../src/sample/flow-logs.js';
import { cloudWatchLogsClient } from '../../src/source/cloudwatch-logs.js';
import { STACK_ENV, spawnCli, type CliExit, type CliProcess, type TestStack } from './stack.js';
import type { FollowerStats } from '../../src/cwl/follower.js';

/** A client of the emulator's CloudWatch Logs. */
export const logsClient = (): CloudWatchLogsClient => cloudWatchLogsClient({ region: STACK_ENV.AWS_REGION, endpointUrl: STACK_ENV.AWS_ENDPOINT_URL });

/** `count` flow-log records (no header) in the default or full format, their windows from `start` (epoch seconds). */
export function flowMessages(seed: number, count: number, start: number, format: SampleFormat = SampleFormat.default): string[] {
  return [...sampleLines({ seed, records: count, format, start })].slice(1);
}

/** Creates the group (and its streams) when missing. */
export async function createStreams(logs: CloudWatchLogsClient, group: string, streams: readonly string[]): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch((err: { name?: string }) => {
    if (err.name !== 'ResourceAlreadyExistsException') throw err;
  });
  for (const stream of streams) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

/** Puts one event per message, one millisecond apart from `firstMs`, in batches PutLogEvents accepts. */
export async function putEvents(logs: CloudWatchLogsClient, group: string, stream: string, messages: readonly string[], firstMs: number): Promise<void> {
  for (let i = 0; i < messages.length; i += 5000) {
    const logEvents = messages.slice(i, i + 5000).map((message, j) => ({ timestamp: firstMs + i + j, message }));
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }));
  }
}

export async function deleteGroups(logs: CloudWatchLogsClient, groups: readonly string[]): Promise<void> {
  for (const group of groups) await logs.send(new DeleteLogGroupCommand({ logGroupName: group })).catch(() => undefined);
}

/** A `cwl` process's end, with the totals it prints under `--until-caught-up`. */
export interface CwlExit extends CliExit {
  readonly stats: FollowerStats | undefined;
}

/** A `cwl` process on the stack's indices; `env` adds or overrides settings. */
export function spawnCwl(stack: TestStack, checkpointIndex: string, env: Record<string, string>, args: readonly string[] = ['--until-caught-up']): CliProcess & { exited: Promise<CwlExit> } {
  const cli = spawnCli(['cwl', ...args], {
    INDEX_PREFIX: stack.config.indexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex, CWL_CHECKPOINT_INDEX: checkpointIndex,
    CWL_POLL_SECONDS: '1', CWL_LEASE_SECONDS: '5', CWL_REQUESTS_PER_SECOND: '50', ...env,
  });
  const exited = cli.exited.then((exit) => {
    const last = exit.stdout.trim().split('\n').pop();
    let stats: FollowerStats | undefined;
    try {
      stats = last ? (JSON.parse(last) as FollowerStats) : undefined;
    } catch {
      stats = undefined;
    }
    return { ...exit, stats };
  });
  return { child: cli.child, exited };
}

/** A stream document as stored. */
export interface StoredCheckpoint {
  readonly group: string;
  readonly stream: string;
  readonly owner: string | null;
  readonly position: { timestamp: number; ids: string[] } | null;
}

/** The stream documents of a checkpoint index (after a refresh). */
export async function checkpoints(stack: TestStack, index: string): Promise<StoredCheckpoint[]> {
  await stack.opensearch.indices.refresh({ index });
  const res = await stack.opensearch.search({ index, body: { size: 1000, query: { term: { kind: 'stream' } } } } as never);
  return (res.body as unknown as { hits: { hits: Array<{ _source: StoredCheckpoint }> } }).hits.hits.map((h) => h._source);
}

/** A stream's events as the API lists them: id and message. */
export async function listEvents(logs: CloudWatchLogsClient, group: string, stream: string): Promise<Array<{ id: string; message: string }>> {
  const out: Array<{ id: string; message: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: [stream], nextToken }));
    for (const e of page.events ?? []) out.push({ id: e.eventId ?? '', message: e.message ?? '' });
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}
