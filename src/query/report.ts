import type { Client } from '@opensearch-project/opensearch';

/** Questions the `report` command answers about what was indexed. */
export interface ReportOptions {
  readonly indexPattern: string;
  readonly top: number;
}

export interface Report {
  readonly documents: number;
  readonly topTalkers: ReadonlyArray<{ readonly srcaddr: string; readonly bytes: number; readonly country?: string }>;
  readonly rejectedByPort: ReadonlyArray<{ readonly dstport: number; readonly flows: number }>;
}

/** The search body: one request, two aggregations (top sources by bytes, rejected flows by port). */
export function reportQuery(top: number): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: true,
    aggs: {
      talkers: {
        terms: { field: 'srcaddr', size: top, order: { bytes: 'desc' } },
        aggs: { bytes: { sum: { field: 'bytes' } }, country: { terms: { field: 'srcaddr_geo.country_iso_code', size: 1 } } },
      },
      rejected: {
        filter: { term: { action: 'REJECT' } },
        aggs: { ports: { terms: { field: 'dstport', size: top } } },
      },
    },
  };
}

interface Bucket {
  key: string | number;
  doc_count: number;
  bytes?: { value: number };
  country?: { buckets: Bucket[] };
}

/** Reads the search response into a Report. */
export function readReport(body: unknown): Report {
  const b = body as {
    hits: { total: { value: number } };
    aggregations: { talkers: { buckets: Bucket[] }; rejected: { ports: { buckets: Bucket[] } } };
  };
  return {
    documents: b.hits.total.value,
    topTalkers: b.aggregations.talkers.buckets.map((t) => {
      const country = t.country?.buckets[0]?.key;
      return { srcaddr: String(t.key), bytes: t.bytes?.value ?? 0, ...(country ? { country: String(country) } : {}) };
    }),
    rejectedByPort: b.aggregations.rejected.ports.buckets.map((p) => ({ dstport: Number(p.key), flows: p.doc_count })),
  };
}

/** Runs the report against the flow-log indices, after a refresh so that it sees every acknowledged document. */
export async function runReport(client: Client, options: ReportOptions): Promise<Report> {
  await client.indices.refresh({ index: options.indexPattern });
  const res = await client.search({ index: options.indexPattern, body: reportQuery(options.top) as never });
  return readReport(res.body);
}

/** The report as a few readable lines. */
export function formatReport(r: Report): string {
  const lines = [`${r.documents} flow documents`, 'Top talkers by bytes sent:'];
  for (const t of r.topTalkers) lines.push(`  ${t.srcaddr.padEnd(40)} ${String(t.bytes).padStart(14)} bytes${t.country ? `  (${t.country})` : ''}`);
  lines.push('Rejected flows by destination port:');
  for (const p of r.rejectedByPort) lines.push(`  port ${String(p.dstport).padEnd(6)} ${String(p.flows).padStart(8)} flows`);
  return `${lines.join('\n')}\n`;
}
