import type { Client } from '@opensearch-project/opensearch';
import type { Enricher } from '../enrich/types.js';
import { batchReader } from '../formats/vpc-flow/reader.js';
import { isParseError, parseHeader } from '../formats/vpc-flow/parse.js';
import { messageOf } from '../core/errors.js';
import { ItemStatus, type IndexOp, type ItemOutcome } from '../core/types.js';
import { DeadLetterKind, type DeadLetter } from './types.js';

/** What replaying needs: the OpenSearch client, where letters live, and the same reading settings as the worker. */
export interface ReplayDeps {
  readonly client: Client;
  readonly deadLetterIndex: string;
  readonly indexPrefix: string;
  readonly enricher: Enricher;
  /** The bulk indexer's add: each op's outcome arrives through the callback. */
  readonly add: (op: IndexOp, onOutcome: (outcome: ItemOutcome) => void) => Promise<void> | undefined;
  readonly flush: () => Promise<void>;
}

export interface ReplayResult {
  /** Letters whose document is now in the index (created, or already there): removed from the store. */
  replayed: number;
  /** Letters that failed again: kept, with the new reason. */
  stillFailing: number;
  /** Letters that hold nothing to replay (lines over the cap, lines without their format): kept as they are. */
  notReplayable: number;
}

const PAGE = 500;
const SCROLL = '2m';

/**
 * Replays dead letters after a fix: lines are parsed again with their object's header (a parser or
 * catalogue fix), documents are sent again as they were (a mapping fix). The ids are the ones the
 * worker would have used, so a replay never duplicates. Successes leave the store; failures stay
 * with their new reason.
 */
export async function replayDeadLetters(deps: ReplayDeps, filter: { bucket?: string; keyPrefix?: string } = {}): Promise<ReplayResult> {
  const result: ReplayResult = { replayed: 0, stillFailing: 0, notReplayable: 0 };
  const done: string[] = [];
  const again: Array<{ id: string; reason: string }> = [];
  let page = await deps.client.search({ index: deps.deadLetterIndex, scroll: SCROLL, size: PAGE, body: { query: replayQuery(filter) } as never });
  for (;;) {
    const hits = (page.body as { hits: { hits: Array<{ _id: string; _source: DeadLetter }> } }).hits.hits;
    if (hits.length === 0) break;
    for (const hit of hits) {
      const replay = toOp(hit._source, deps);
      if ('notReplayable' in replay) {
        // Nothing to send: the letter keeps its original reason.
        result.notReplayable += 1;
        continue;
      }
      if ('stillFailing' in replay) {
        again.push({ id: hit._id, reason: replay.stillFailing });
        continue;
      }
      const { op } = replay;
      await deps.add(op, (outcome) => {
        if (outcome.status === ItemStatus.created || outcome.status === ItemStatus.exists) done.push(hit._id);
        else again.push({ id: hit._id, reason: outcome.error ?? outcome.status });
      });
    }
    const scrollId = (page.body as { _scroll_id: string })._scroll_id;
    page = await deps.client.scroll({ scroll_id: scrollId, scroll: SCROLL } as never);
  }
  await deps.flush();
  result.replayed = done.length;
  result.stillFailing = again.length;
  await settle(deps, done, again);
  return result;
}

function replayQuery(filter: { bucket?: string; keyPrefix?: string }): Record<string, unknown> {
  const must: unknown[] = [{ terms: { kind: [DeadLetterKind.line, DeadLetterKind.document] } }];
  if (filter.bucket) must.push({ term: { bucket: filter.bucket } });
  if (filter.keyPrefix) must.push({ prefix: { key: filter.keyPrefix } });
  return { bool: { filter: must } };
}

/** What replaying one letter comes to: an operation to send, a line that still fails, or nothing to send. */
export type Replay = { readonly op: IndexOp } | { readonly stillFailing: string } | { readonly notReplayable: string };

/** The operation a letter stands for, or why there is none. */
export function toOp(letter: DeadLetter, deps: Pick<ReplayDeps, 'indexPrefix' | 'enricher'>): Replay {
  if (letter.kind === DeadLetterKind.document) {
    if (!letter.index || !letter.id || letter.document === undefined) return { notReplayable: 'document letter without index, id or document' };
    try {
      return { op: { index: letter.index, id: letter.id, doc: JSON.parse(letter.document) as Record<string, unknown> } };
    } catch (err) {
      return { notReplayable: `stored document is not JSON: ${messageOf(err)}` };
    }
  }
  if (letter.line === undefined || letter.format === undefined || letter.lineNo === undefined) {
    return { notReplayable: 'line letter without its line, line number or format (a line over the cap is not kept)' };
  }
  const format = parseHeader(letter.format);
  if (isParseError(format)) return { notReplayable: `stored format is not a header: ${format.error}` };
  const ref = { bucket: letter.bucket ?? '', key: letter.key ?? '' };
  const batch = batchReader(format, { ref, enricher: deps.enricher, indexPrefix: deps.indexPrefix })([
    { lineNo: letter.lineNo, bytes: Buffer.from(letter.line, 'utf8') },
  ]);
  const op = batch.ops[0];
  return op ? { op } : { stillFailing: batch.problems[0]?.reason ?? 'line gives no document' };
}

/** Removes replayed letters and records the new reason of the others. */
async function settle(deps: ReplayDeps, done: string[], again: Array<{ id: string; reason: string }>): Promise<void> {
  const lines = [
    ...done.map((id) => `${JSON.stringify({ delete: { _index: deps.deadLetterIndex, _id: id } })}\n`),
    ...again.map(({ id, reason }) => `${JSON.stringify({ update: { _index: deps.deadLetterIndex, _id: id } })}\n${JSON.stringify({ doc: { reason, '@timestamp': new Date().toISOString() } })}\n`),
  ];
  for (let i = 0; i < lines.length; i += PAGE) {
    await deps.client.transport.request({ method: 'POST', path: '/_bulk', querystring: { refresh: 'true' }, bulkBody: lines.slice(i, i + PAGE).join('') });
  }
}
