/**
 * `--top FIELD --by bytes|packets|flows`: the values of a field ranked by summed bytes, summed
 * packets or number of documents. As a terms aggregation over the index, or counted in memory over
 * documents read from S3, ranked the same way (highest first, ties by value ascending).
 */
import type { Client } from '@opensearch-project/opensearch';
import { ConfigError } from '../config/load.js';
import type { Doc } from '../core/types.js';
import { AGGREGATABLE, QueryKind, fieldType, type KindSpec } from './fields.js';
import { toOpenSearchQuery, valuesAt, type QueryFilter } from './filter.js';

export const TopBy = { bytes: 'bytes', packets: 'packets', flows: 'flows', events: 'events' } as const;
export type TopBy = (typeof TopBy)[keyof typeof TopBy];

/** A ranking request, checked against the kind's fields. */
export interface TopRequest {
  readonly field: string;
  readonly by: TopBy;
  readonly size: number;
}

/** One ranked value. */
export interface TopRow {
  readonly key: string | number;
  readonly value: number;
}

/** Checks that the field can be aggregated and the measure exists for the kind. */
export function parseTop(spec: KindSpec, field: string, by: string, size: number): TopRequest {
  const type = fieldType(spec, '--top', field);
  if (!AGGREGATABLE.has(type)) throw new ConfigError(`--top ${field}: a ${type} field cannot be ranked; name a keyword, address or number field`);
  if (!Object.values(TopBy).includes(by as TopBy)) throw new ConfigError(`--by ${JSON.stringify(by)}: bytes, packets, flows or events expected`);
  if (spec.kind === QueryKind.cloudtrail && (by === TopBy.bytes || by === TopBy.packets)) {
    throw new ConfigError(`--by ${by}: CloudTrail events have no ${by}; use --by events`);
  }
  return { field, by: by as TopBy, size };
}

const summed = (by: TopBy): string | undefined => (by === TopBy.bytes || by === TopBy.packets ? by : undefined);

/** The aggregation request. */
export function topQuery(spec: KindSpec, filter: QueryFilter, top: TopRequest): Record<string, unknown> {
  const sum = summed(top.by);
  const order = sum ? [{ measure: 'desc' }, { _key: 'asc' }] : [{ _count: 'desc' }, { _key: 'asc' }];
  return {
    size: 0,
    query: toOpenSearchQuery(spec, filter),
    aggs: { top: { terms: { field: top.field, size: top.size, order }, ...(sum ? { aggs: { measure: { sum: { field: sum } } } } : {}) } },
  };
}

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  measure?: { value: number };
}

/** Runs the aggregation over the index. */
export async function topFromIndex(client: Client, index: string, spec: KindSpec, filter: QueryFilter, top: TopRequest): Promise<TopRow[]> {
  const res = await client.search({ index, ignore_unavailable: true, allow_no_indices: true, body: topQuery(spec, filter, top) as never });
  const aggs = (res.body as { aggregations?: { top: { buckets: Bucket[] } } }).aggregations;
  return (aggs?.top.buckets ?? []).map((b) => ({ key: b.key_as_string ?? b.key, value: b.measure ? b.measure.value : b.doc_count }));
}

/** The same ranking, counted over documents one at a time. */
export class TopCounter {
  private readonly totals = new Map<string | number, number>();

  constructor(private readonly top: TopRequest) {}

  /** Counts one (matching) document. */
  add(doc: Doc): void {
    const sum = summed(this.top.by);
    const amount = sum ? Number(valuesAt(doc, sum)[0] ?? 0) : 1;
    for (const raw of new Set(valuesAt(doc, this.top.field))) {
      const key = typeof raw === 'number' ? raw : String(raw);
      this.totals.set(key, (this.totals.get(key) ?? 0) + amount);
    }
  }

  /** The ranked rows. */
  rows(): TopRow[] {
    const byKey = (a: string | number, b: string | number) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1);
    return [...this.totals]
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => b.value - a.value || byKey(a.key, b.key))
      .slice(0, this.top.size);
  }
}
