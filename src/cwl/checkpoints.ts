/**
 * Stream positions and leases of `cwl`, as documents of one small OpenSearch index, so that they
 * survive the machine and any number of processes can share them. Every write of a stream's
 * document is conditional on the version read (`if_seq_no` + `if_primary_term`): two processes
 * can never both think they hold a stream, and a process that lost its lease learns it on its next
 * write (409) instead of overwriting the new holder's position.
 *
 * A stream document: `{ kind: 'stream', group, stream, position, owner, lease_until, read_to_end_at }`
 * where `position` is `{ timestamp, ids }`: the time (ms) of the last acknowledged event and the
 * ids of the acknowledged events at that very millisecond (the API's `startTime` is inclusive).
 * A member document (`member:<owner>`) says a process is alive; the live count sets each one's share.
 */
import { errors, type Client } from '@opensearch-project/opensearch';
import { keyId } from '../core/id.js';

/** Where a stream was read to: events before `timestamp`, and those at it named in `ids`, are done. */
export interface Position {
  readonly timestamp: number;
  readonly ids: readonly string[];
}

export interface StreamKey {
  readonly group: string;
  readonly stream: string;
}

/** A stream's document as read, with the version a conditional write needs. */
export interface StreamState extends StreamKey {
  readonly id: string;
  readonly seqNo: number;
  readonly primaryTerm: number;
  readonly position?: Position;
  readonly owner?: string;
  readonly leaseUntil: number;
  readonly readToEndAt?: number;
}

interface StreamSource {
  kind: 'stream';
  group: string;
  stream: string;
  position?: Position | null;
  owner?: string | null;
  lease_until: number;
  read_to_end_at?: number | null;
  updated_at: string;
}

const MAPPINGS = {
  dynamic: false,
  properties: {
    kind: { type: 'keyword' }, group: { type: 'keyword' }, stream: { type: 'keyword' }, owner: { type: 'keyword' },
    lease_until: { type: 'long' }, read_to_end_at: { type: 'long' }, updated_at: { type: 'date' },
  },
} as const;

/** The id of a stream's document. */
export const streamDocId = (key: StreamKey): string => keyId('cwl-stream', `${key.group.length}:${key.group}${key.stream.length}:${key.stream}`);

const isConflict = (err: unknown): boolean => err instanceof errors.ResponseError && err.statusCode === 409;

/** One process's view of the checkpoint index: `owner` names the process, `leaseMs` how long a lease lasts unrenewed. */
export class CheckpointStore {
  constructor(
    private readonly client: Client,
    readonly index: string,
    readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** Creates the index when it is missing (several processes may race: the loser finds it there). */
  async ensureIndex(): Promise<void> {
    const exists = await this.client.indices.exists({ index: this.index });
    if (exists.body) return;
    try {
      await this.client.indices.create({ index: this.index, body: { settings: { number_of_shards: 1, auto_expand_replicas: '0-1' }, mappings: MAPPINGS } as never });
    } catch (err) {
      if (!(err instanceof errors.ResponseError && /resource_already_exists/.test(JSON.stringify(err.body)))) throw err;
    }
  }

  /** The stored state of each stream that has a document, by stream document id (read in real time). */
  async states(keys: readonly StreamKey[]): Promise<Map<string, StreamState>> {
    const found = new Map<string, StreamState>();
    if (keys.length === 0) return found;
    const res = await this.client.mget({ index: this.index, body: { ids: keys.map(streamDocId) } });
    const docs = (res.body as { docs: Array<{ _id: string; found?: boolean; _seq_no?: number; _primary_term?: number; _source?: StreamSource }> }).docs;
    for (const doc of docs) if (doc.found && doc._source) found.set(doc._id, toState(doc._id, doc._seq_no ?? 0, doc._primary_term ?? 0, doc._source));
    return found;
  }

  /** True when `state` may be taken: no document yet, no holder, a lapsed lease, or ours already. */
  claimable(state: StreamState | undefined, now: number): boolean {
    return state === undefined || state.owner === undefined || state.owner === this.owner || state.leaseUntil <= now;
  }

  /** Takes (or renews) the stream's lease; undefined when another process wrote first. */
  async claim(key: StreamKey, state: StreamState | undefined, now: number): Promise<StreamState | undefined> {
    return this.write(state ?? { ...key, id: streamDocId(key), seqNo: -1, primaryTerm: 0, leaseUntil: 0 }, {
      owner: this.owner, leaseUntil: now + this.leaseMs, position: state?.position, readToEndAt: state?.readToEndAt,
    });
  }

  /** Stores the position and renews the lease; undefined when the lease was lost (the other holder's position stands). */
  async save(held: StreamState, position: Position | undefined, readToEndAt: number | undefined, now: number): Promise<StreamState | undefined> {
    return this.write(held, { owner: this.owner, leaseUntil: now + this.leaseMs, position, readToEndAt });
  }

  /** Gives the stream up at once (shutdown, or more streams than this process's share). */
  async release(held: StreamState): Promise<void> {
    await this.write(held, { owner: undefined, leaseUntil: 0, position: held.position, readToEndAt: held.readToEndAt });
  }

  /** Says this process is alive (for another lease time) and counts the live processes, this one included. */
  async heartbeat(now: number): Promise<number> {
    await this.client.index({ index: this.index, id: `member:${this.owner}`, body: { kind: 'member', owner: this.owner, lease_until: now + this.leaseMs }, refresh: true });
    const res = await this.client.count({ index: this.index, body: { query: { bool: { filter: [{ term: { kind: 'member' } }, { range: { lease_until: { gt: now } } }] } } } });
    return Math.max(1, (res.body as { count: number }).count);
  }

  /** Leaves the membership (graceful stop), so the others' shares grow at once. */
  async leave(): Promise<void> {
    await this.client.delete({ index: this.index, id: `member:${this.owner}`, refresh: true }).catch(() => undefined);
  }

  /** A conditional write: create when the stream has no document, else only over the version read. */
  private async write(
    state: StreamState,
    next: { owner: string | undefined; leaseUntil: number; position: Position | undefined; readToEndAt: number | undefined },
  ): Promise<StreamState | undefined> {
    const source: StreamSource = {
      kind: 'stream', group: state.group, stream: state.stream, position: next.position ?? null, owner: next.owner ?? null,
      lease_until: next.leaseUntil, read_to_end_at: next.readToEndAt ?? null, updated_at: new Date().toISOString(),
    };
    const condition = state.seqNo < 0 ? { op_type: 'create' as const } : { if_seq_no: state.seqNo, if_primary_term: state.primaryTerm };
    try {
      const res = await this.client.index({ index: this.index, id: state.id, body: source, ...condition });
      const body = res.body as { _seq_no: number; _primary_term: number };
      return toState(state.id, body._seq_no, body._primary_term, source);
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }
}

function toState(id: string, seqNo: number, primaryTerm: number, s: StreamSource): StreamState {
  return {
    id, seqNo, primaryTerm, group: s.group, stream: s.stream, leaseUntil: s.lease_until,
    ...(s.position ? { position: s.position } : {}), ...(s.owner ? { owner: s.owner } : {}),
    ...(typeof s.read_to_end_at === 'number' ? { readToEndAt: s.read_to_end_at } : {}),
  };
}
