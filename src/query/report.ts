import type { Client } from '@opensearch-project/opensearch';

/** Questions the `report` command answers about what was indexed. */
export interface ReportOptions {
  readonly indexPattern: string;
  readonly top: number;
  /** Also ask for what the HTML page draws besides the tables: traffic over time, sources on a map. */
  readonly charts?: boolean;
}

export interface Report {
  readonly documents: number;
  readonly topTalkers: ReadonlyArray<{ readonly srcaddr: string; readonly bytes: number; readonly country?: string }>;
  readonly rejectedByPort: ReadonlyArray<{ readonly dstport: number; readonly flows: number }>;
  readonly charts?: ReportCharts;
}

/** Bytes by action in one time interval. */
export interface TrafficBucket {
  /** Start of the interval, ISO 8601 UTC. */
  readonly start: string;
  readonly bytes: Readonly<Record<string, number>>;
}

/** A map point: the centre of the located sources in one city (or country), how many flows they sent. */
export interface SourcePoint {
  readonly lat: number;
  readonly lon: number;
  readonly flows: number;
}

/** What only the HTML report draws. */
export interface ReportCharts {
  /** Interval of the buckets as OpenSearch chose it (`auto_date_histogram`), e.g. `1m`, `3h`. */
  readonly interval: string;
  readonly traffic: readonly TrafficBucket[];
  readonly sources: readonly SourcePoint[];
  readonly countries: ReadonlyArray<{ readonly country: string; readonly flows: number }>;
}

/** The time series' resolution: at most this many intervals, OpenSearch picks a round interval. */
const TRAFFIC_BUCKETS = 60;
/** Every country there is, and the cities with most flows in each. */
const MAP_COUNTRIES = 300;
const MAP_CITIES = 50;

/** The extra aggregations of the HTML report: bytes by action over time, source locations on a geotile grid. */
export function chartAggregations(top: number): Record<string, unknown> {
  return {
    traffic: {
      auto_date_histogram: { field: '@timestamp', buckets: TRAFFIC_BUCKETS },
      aggs: { action: { terms: { field: 'action', size: 5 }, aggs: { bytes: { sum: { field: 'bytes' } } } } },
    },
    // One dot per city (or per country, where the GeoIP database names no city) at the centre of its
    // sources. Grid aggregations (geotile_grid) live in OpenSearch's geo module, which a minimal node
    // lacks; terms and geo_centroid are in every OpenSearch.
    sources: {
      terms: { field: 'srcaddr_geo.country_iso_code', size: MAP_COUNTRIES },
      aggs: { cities: { terms: { field: 'srcaddr_geo.city_name', size: MAP_CITIES, missing: '' }, aggs: { centre: { geo_centroid: { field: 'srcaddr_geo.location' } } } } },
    },
    countries: { terms: { field: 'srcaddr_geo.country_iso_code', size: top } },
  };
}

/** The search body: one request, two aggregations (top sources by bytes, rejected flows by port), and with `charts` those of {@link chartAggregations}. */
export function reportQuery(top: number, charts = false): Record<string, unknown> {
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
      ...(charts ? chartAggregations(top) : {}),
    },
  };
}

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  bytes?: { value: number };
  country?: { buckets: Bucket[] };
  action?: { buckets: Bucket[] };
  cities?: { buckets: Bucket[] };
  centre?: { location?: { lat: number; lon: number } };
}

interface ChartAggregations {
  traffic?: { interval?: string; buckets: Bucket[] };
  sources?: { buckets: Bucket[] };
  countries?: { buckets: Bucket[] };
}

/** Reads the aggregations of {@link chartAggregations}; undefined when the response has none. */
export function readCharts(aggs: ChartAggregations): ReportCharts | undefined {
  if (!aggs.traffic || !aggs.sources || !aggs.countries) return undefined;
  return {
    interval: aggs.traffic.interval ?? '',
    traffic: aggs.traffic.buckets.map((b) => ({
      start: new Date(Number(b.key)).toISOString(),
      bytes: Object.fromEntries((b.action?.buckets ?? []).map((a) => [String(a.key), a.bytes?.value ?? 0])),
    })),
    sources: aggs.sources.buckets.flatMap((country) => (country.cities?.buckets ?? []).flatMap((city) => {
      const at = city.centre?.location;
      return at ? [{ lat: at.lat, lon: at.lon, flows: city.doc_count }] : [];
    })),
    countries: aggs.countries.buckets.map((c) => ({ country: String(c.key), flows: c.doc_count })),
  };
}

/** Reads the search response into a Report. */
export function readReport(body: unknown): Report {
  const b = body as {
    hits: { total: { value: number } };
    aggregations: { talkers: { buckets: Bucket[] }; rejected: { ports: { buckets: Bucket[] } } } & ChartAggregations;
  };
  const charts = readCharts(b.aggregations);
  return {
    documents: b.hits.total.value,
    topTalkers: b.aggregations.talkers.buckets.map((t) => {
      const country = t.country?.buckets[0]?.key;
      return { srcaddr: String(t.key), bytes: t.bytes?.value ?? 0, ...(country ? { country: String(country) } : {}) };
    }),
    rejectedByPort: b.aggregations.rejected.ports.buckets.map((p) => ({ dstport: Number(p.key), flows: p.doc_count })),
    ...(charts ? { charts } : {}),
  };
}

/** No index matches the report's pattern (a wrong INDEX_PREFIX, or nothing indexed yet); the message names the prefixes there are. */
export class NoMatchingIndex extends Error {
  override readonly name = 'NoMatchingIndex';
}

/** `<prefix>-YYYY.MM.DD` → prefix, for every daily index among `names` (hidden `.` indices left out), sorted, once each. */
export function dailyPrefixes(names: readonly string[]): string[] {
  const prefixes = names.filter((n) => !n.startsWith('.')).map((n) => /^(.+)-\d{4}\.\d{2}\.\d{2}$/.exec(n)?.[1]);
  return [...new Set(prefixes.filter((p): p is string => p !== undefined))].sort();
}

/** What to tell when `pattern` matches nothing, given the daily prefixes that exist. */
export function noMatchMessage(pattern: string, prefixes: readonly string[]): string {
  const there = prefixes.length === 0
    ? 'OpenSearch holds no daily index yet: run the worker (or npm run demo) first'
    : `daily index prefixes there: ${prefixes.join(', ')} (choose one with INDEX_PREFIX or --index-prefix)`;
  return `no index matches ${pattern}; ${there}`;
}

async function indexNames(client: Client, pattern: string): Promise<string[]> {
  const res = await client.cat.indices({ index: pattern, format: 'json', h: ['index'] }, { ignore: [404] });
  return Array.isArray(res.body) ? (res.body as Array<{ index: string }>).map((row) => row.index) : [];
}

/**
 * Runs the report against the flow-log indices, after a refresh so that it sees every acknowledged
 * document. @throws NoMatchingIndex when no index matches the pattern.
 */
export async function runReport(client: Client, options: ReportOptions): Promise<Report> {
  if ((await indexNames(client, options.indexPattern)).length === 0) {
    throw new NoMatchingIndex(noMatchMessage(options.indexPattern, dailyPrefixes(await indexNames(client, '*'))));
  }
  await client.indices.refresh({ index: options.indexPattern });
  const res = await client.search({ index: options.indexPattern, body: reportQuery(options.top, options.charts) as never });
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
