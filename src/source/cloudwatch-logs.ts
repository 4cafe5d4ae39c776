/**
 * Reading CloudWatch Logs through its API: the log groups under a prefix, a group's streams, and a
 * stream's events from a time on (FilterLogEvents, the one read call that gives each event's id).
 * Every call waits its turn on a shared pacer, so a process stays under the account's rate limit;
 * throttled calls are retried by the SDK's adaptive mode, which backs off and lowers its own rate.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent } from '../core/types.js';

/** Attempts per call (the first and the retries) before a throttled or failing call gives up. */
const MAX_ATTEMPTS = 8;
/** Events per FilterLogEvents page: the API's largest. */
const PAGE_LIMIT = 10_000;

/** A CloudWatch Logs client for the region (and the emulator's endpoint, when set). */
export function cloudWatchLogsClient(options: { region: string; endpointUrl?: string }): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region: options.region,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
  });
}

/** Spaces calls at least `1 / perSecond` apart, in the order they asked, across all callers. */
export class Pacer {
  #next = 0;
  readonly #intervalMs: number;

  constructor(perSecond: number) {
    this.#intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may make its call (rejects when `signal` aborts first). */
  async turn(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await delay(at - now, undefined, { signal });
  }
}

/** The reading calls `cwl` makes, each paced. */
export class LogsReader {
  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly pacer: Pacer,
    private readonly signal?: AbortSignal,
  ) {}

  /** Names of the log groups whose name starts with `prefix` (an exact name gives itself and longer names). */
  groupsWithPrefix(prefix: string): Promise<string[]> {
    return this.#names(async (nextToken) => {
      const page = await this.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken }), { abortSignal: this.signal });
      return { names: (page.logGroups ?? []).map((g) => g.logGroupName), nextToken: page.nextToken };
    });
  }

  /** Every stream of a group, streams created since the last call included. */
  streams(group: string): Promise<string[]> {
    return this.#names(async (nextToken) => {
      const page = await this.client.send(new DescribeLogStreamsCommand({ logGroupName: group, nextToken }), { abortSignal: this.signal });
      return { names: (page.logStreams ?? []).map((s) => s.logStreamName), nextToken: page.nextToken };
    });
  }

  /** Every name of a paged Describe call, each page's call paced. */
  async #names(page: (nextToken: string | undefined) => Promise<{ names: (string | undefined)[]; nextToken?: string }>): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      await this.pacer.turn(this.signal);
      const got = await page(nextToken);
      for (const name of got.names) if (name) names.push(name);
      nextToken = got.nextToken;
    } while (nextToken);
    return names;
  }

  /**
   * One stream's events with a timestamp at or after `startTime` (ms), page by page, in time order,
   * up to the stream's current end. Events the API returns without an id are not skipped silently:
   * they cannot be, since every FilterLogEvents event has one.
   */
  async *events(group: string, stream: string, startTime: number): AsyncGenerator<LogEvent[]> {
    let nextToken: string | undefined;
    do {
      await this.pacer.turn(this.signal);
      const page = await this.client.send(
        new FilterLogEventsCommand({ logGroupName: group, logStreamNames: [stream], startTime, nextToken, limit: PAGE_LIMIT }),
        { abortSignal: this.signal },
      );
      const events: LogEvent[] = [];
      for (const e of page.events ?? []) {
        if (e.eventId === undefined || e.timestamp === undefined) throw new Error(`FilterLogEvents gave an event without id or timestamp in ${group} ${stream}`);
        events.push({ id: e.eventId, timestamp: e.timestamp, message: e.message ?? '' });
      }
      if (events.length > 0) yield events;
      nextToken = page.nextToken;
    } while (nextToken);
  }
}
