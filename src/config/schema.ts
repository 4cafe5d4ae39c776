import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { quoted } from '../core/text.js';
import { groupFormats } from '../formats/cwl/groups.js';
import { headerlessFormat } from '../formats/vpc-flow/headerless.js';

/**
 * One parse thread per core when there are two or more. On a single core a thread only adds work
 * (each batch of lines copied to it, its documents back, its own caches) and memory (a V8 heap of
 * its own), with no idle core to win back: the main thread parses.
 */
export function defaultParseThreads(cores: number): number {
  return cores > 1 ? cores : 0;
}

/**
 * The one place that reads settings. Every value comes from the environment (names below) and
 * may be overridden by a command-line flag; both go through this schema once, at start, so the
 * rest of the code receives a typed, validated `Config`.
 */

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean));
/** Userinfo in a URL would be printed wherever the URL is (logs, errors): refused, with where to put it instead. */
const hasCredentials = (u: string): boolean => URL.canParse(u) && (new URL(u).username !== '' || new URL(u).password !== '');
const httpUrl = (credentialsHint = 'AWS clients sign requests with the default credential chain') =>
  z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((u) => !hasCredentials(u), `must not carry credentials (they would end up in logs): ${credentialsHint}`);
/**
 * `value` for every bucket, or `bucket=value,other=value2` (`*=value` for the rest): a setting
 * that may differ per bucket, such as the owning account or the role to assume.
 */
const perBucket = (valid: RegExp, what: string) =>
  z.string().transform((text, ctx) => {
    const buckets: Record<string, string> = {};
    let fallback: string | undefined;
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      const [bucket, value] = eq < 0 ? ['*', part] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
      if (!valid.test(value)) ctx.addIssue({ code: 'custom', message: `${quoted(value, 80)} is not ${what}` });
      else if (bucket === '*') fallback = value;
      else buckets[bucket] = value;
    }
    return { buckets, ...(fallback === undefined ? {} : { fallback }) };
  });
const indexName = (extra: string) =>
  z.string().regex(new RegExp(`^[a-z0-9][a-z0-9_${extra}-]*$`), `lowercase letters, digits, ${extra ? `${extra}, ` : ''}- and _ only (an OpenSearch index name)`);

/** One setting: its environment variable, its validation, and what `--help` and the README say of it. */
interface SettingSpec<S extends z.ZodType = z.ZodType> {
  readonly env: string;
  readonly schema: S;
  readonly help: string;
  /** The default as the docs show it, where it is not a plain value of the schema (computed ones). */
  readonly shownDefault?: string;
  /** Never echoed back, and taken from the environment only (no flag). */
  readonly secret?: boolean;
}
const setting = <S extends z.ZodType>(
  env: string, schema: S, help: string, more: Pick<SettingSpec, 'shownDefault' | 'secret'> = {},
): SettingSpec<S> => ({ env, schema, help, ...more });

/**
 * Every setting, once: the environment variable, the schema, and the text that `--help` and the
 * README's settings table (`scripts/readme-tables.ts`) show, so the three cannot drift apart.
 * Flags are the kebab-case names (`--queue-url` for `queueUrl`).
 */
export const SETTINGS = {
  queueUrl: setting('QUEUE_URL', httpUrl().optional(), 'SQS queue the worker polls (required for `worker`)'),
  allowedBuckets: setting('ALLOWED_BUCKETS', list.optional(), 'buckets the worker may read, comma-separated (required for `worker`); `*` admits any, and only when said so. A message naming another bucket is recorded as a dead letter, never read'),
  opensearchUrl: setting('OPENSEARCH_URL', httpUrl('use OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD').default('http://127.0.0.1:9200'), 'OpenSearch endpoint (credentials inside the URL are refused)'),
  opensearchAuth: setting('OPENSEARCH_AUTH', z.enum(['none', 'basic', 'sigv4']).optional(), '`none`, `basic` or `sigv4` (Amazon OpenSearch Service or Serverless, credentials from the default chain, e.g. the ECS task role)', { shownDefault: '`basic` with a username, else `none`' }),
  opensearchUsername: setting('OPENSEARCH_USERNAME', z.string().min(1).optional(), 'HTTP basic auth user (with `OPENSEARCH_PASSWORD` or `OPENSEARCH_PASSWORD_FILE`)'),
  opensearchPassword: setting('OPENSEARCH_PASSWORD', z.string().min(1).optional(), 'HTTP basic auth password (with `OPENSEARCH_USERNAME`; from the environment only, never a flag)', { secret: true }),
  opensearchPasswordFile: setting('OPENSEARCH_PASSWORD_FILE', z.string().min(1).optional(), 'file holding the basic auth password instead of `OPENSEARCH_PASSWORD` (as ECS secrets or a Kubernetes secret volume provide it); read again while OpenSearch refuses the credentials, so a rotated password is picked up without a restart'),
  opensearchCaFile: setting('OPENSEARCH_CA_FILE', z.string().min(1).optional(), 'PEM file of the CA certificate(s) that signed the OpenSearch node\'s certificate (a private CA); it replaces the system\'s CAs for OpenSearch, and verification stays on'),
  opensearchSigv4Service: setting('OPENSEARCH_SIGV4_SERVICE', z.enum(['es', 'aoss']).default('es'), '`es` (OpenSearch Service) or `aoss` (Serverless)'),
  opensearchDocumentIds: setting('OPENSEARCH_DOCUMENT_IDS', bool.default(true), '`false` leaves `_id` to OpenSearch: only for Serverless time-series collections, which refuse custom ids. Redelivered or re-read objects are then indexed again (duplicates); the worker says so at start'),
  opensearchCompression: setting('OPENSEARCH_COMPRESSION', z.enum(['none', 'gzip']).default('none'), '`gzip` compresses `_bulk` bodies (at level 1: about 5.5 times smaller, for about 4 µs of worker CPU a document and the node\'s CPU to inflate it), for a metered or slow link such as one across availability zones; `none` sends them as they are (Vector\'s default too)'),
  opensearchTlsInsecure: setting('OPENSEARCH_TLS_INSECURE', bool.default(false), 'turn TLS certificate verification off (logged as a warning)'),
  indexPrefix: setting('INDEX_PREFIX', indexName('').default('vpcflowlogs'), 'indices are `<prefix>-YYYY.MM.DD` by the record\'s start date, UTC'),
  deadLetterIndex: setting('DEADLETTER_INDEX', indexName('.').default('aws-log-indexer-deadletter'), 'index of the dead-letter store'),
  geoipCityDb: setting('GEOIP_CITY_DB', list.default([]), 'comma-separated MaxMind DB files for GeoIP (GeoIP2/GeoLite2 City or Country, or DB-IP Lite\'s flat schema; IPv4 and IPv6 files may be separate)'),
  geoipAsnDb: setting('GEOIP_ASN_DB', z.string().min(1).optional(), 'MaxMind DB file in the GeoLite2-ASN schema'),
  pollers: setting('WORKER_POLLERS', int(1, 64).default(16), 'long-polling consumers per worker process; with one message per receive, the messages in work at once (the window), within `MAX_IN_FLIGHT_BYTES`'),
  batchSize: setting('SQS_BATCH_SIZE', int(1, 10).default(1), 'messages per receive (1–10); a consumer receives again only when its whole batch is done, so above 1 one large object idles the rest of its batch'),
  maxInFlightBytes: setting('MAX_IN_FLIGHT_BYTES', int(1024 * 1024, Number.MAX_SAFE_INTEGER).default(96 * 1024 * 1024), 'bytes of objects (their size in the S3 event, at least 4 MiB each) a worker process holds in work at once; bounds its memory (see [Memory](#memory-and-fargate-sizing)); a larger object runs alone'),
  waitTimeSeconds: setting('SQS_WAIT_TIME_SECONDS', int(0, 20).default(20), 'long-poll wait in seconds (0–20)'),
  visibilityTimeout: setting('SQS_VISIBILITY_TIMEOUT', int(10, 43_200).default(300), 'seconds a received message stays invisible; renewed by the heartbeat'),
  heartbeatInterval: setting('SQS_HEARTBEAT_INTERVAL', int(1, 43_199).default(60), 'seconds between visibility renewals (must be below the timeout)'),
  retryDelaySeconds: setting('RETRY_DELAY_SECONDS', int(0, 43_200).default(30), 'how long a message that failed stays invisible before it is tried again'),
  shutdownGraceSeconds: setting('SHUTDOWN_GRACE_SECONDS', int(0, 3600).default(30), 'how long a stopping worker lets messages in flight finish'),
  bulkMaxBytes: setting('BULK_MAX_BYTES', int(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024), 'bytes per `_bulk` request'),
  bulkMaxDocs: setting('BULK_MAX_DOCS', int(1, 100_000).default(2000), 'documents per `_bulk` request'),
  bulkConcurrency: setting('BULK_CONCURRENCY', int(1, 64).default(2), '`_bulk` requests in flight per process'),
  dropStatusRecords: setting('DROP_STATUS_RECORDS', bool.default(false), 'leave NODATA/SKIPDATA flow records out of the index (still counted)'),
  headerlessPrefixes: setting('HEADERLESS_PREFIXES', list.default([]), 'comma-separated key prefixes whose objects are header-less flow-log lines'),
  // Header-less flow-log lines (CloudWatch Logs exports): their format as AWS writes it.
  flowFormat: setting('FLOW_FORMAT', z.string().optional(), 'format of header-less lines, as AWS writes it: `${version} ${account-id} …`', { shownDefault: 'the v2 default format' }),
  cwlLogGroups: setting('CWL_LOG_GROUPS', list.optional(), 'CloudWatch Logs groups `cwl` follows, comma-separated: names, or prefixes ending in `*` (required for `cwl`)'),
  cwlGroupFormats: setting('CWL_GROUP_FORMATS', z.string().optional(), 'flow-log format per log group, a JSON object `{"<group or prefix*>": "${version} …"}`; groups it does not name use `FLOW_FORMAT` (for `cwl` and subscription objects)'),
  cwlCheckpointIndex: setting('CWL_CHECKPOINT_INDEX', indexName('.').default('aws-log-indexer-cwl-checkpoints'), 'index holding `cwl`\'s stream positions and leases'),
  cwlLeaseSeconds: setting('CWL_LEASE_SECONDS', int(2, 3600).default(60), 'a `cwl` process that stops renewing its leases for this long loses its streams to the others'),
  cwlPollSeconds: setting('CWL_POLL_SECONDS', int(1, 3600).default(10), 'pause between `cwl` rounds once every stream is read to its end (at most half the lease, so idle streams keep their leases)'),
  cwlRequestsPerSecond: setting('CWL_REQUESTS_PER_SECOND', z.coerce.number().positive().max(1000).default(5), 'CloudWatch Logs API calls per second per `cwl` process (FilterLogEvents allows few per account and region); throttled calls back off'),
  cloudtrailIndexPrefix: setting('CLOUDTRAIL_INDEX_PREFIX', indexName('').default('cloudtrail'), 'CloudTrail indices are `<prefix>-YYYY.MM.DD`'),
  retentionDays: setting('RETENTION_DAYS', int(1, 36_500).optional(), 'days a daily index is kept: `setup` installs an ISM policy deleting older ones where the cluster has the Index State Management plugin; `prune` takes it as its default `--older-than`'),
  cloudtrailMaxBlobBytes: setting('CLOUDTRAIL_MAX_BLOB_BYTES', int(1024, 16 * 1024 * 1024).default(32 * 1024), 'cap on each CloudTrail blob before it is cut into `<field>_json` and marked `truncated`'),
  cloudtrailMaxRecordBytes: setting('CLOUDTRAIL_MAX_RECORD_BYTES', int(1024, 256 * 1024 * 1024).default(1024 * 1024), 'cap on one CloudTrail record\'s JSON (AWS writes at most 256 KB): a longer record is passed over unparsed and dead-lettered by its ordinal'),
  parseThreads: setting('PARSE_THREADS', int(0, 256).default(defaultParseThreads(availableParallelism())), 'threads that turn flow-log lines (of text objects, header-less ones too, and Parquet rows rendered as lines), CloudTrail records and the events of CloudWatch Logs subscription objects into documents while the main thread reads, decompresses (cuts the records and envelopes out) and sends; in the worker and `reprocess` they get lines only while the main thread is busy (a process held back by OpenSearch parses on its main thread and starts none), in `parse` all of them; 0 parses on the main thread always', { shownDefault: 'available cores (`os.availableParallelism()`); 0 on a single core' }),
  maxLineBytes: setting('MAX_LINE_BYTES', int(256, 64 * 1024 * 1024).default(1024 * 1024), 'longer lines are dead-lettered and skipped, never buffered'),
  // 75 MB of gzip (AWS's largest flow-log file) unpacks to about 1 GiB; far more is a gzip bomb.
  maxObjectBytes: setting('MAX_OBJECT_BYTES', int(1024, Number.MAX_SAFE_INTEGER).default(8 * 1024 ** 3), 'decompressed bytes per object; past it (a gzip bomb) reading stops and the object is dead-lettered'),
  s3ConnectTimeoutMs: setting('S3_CONNECT_TIMEOUT_MS', int(100, 600_000).default(5000), 'milliseconds to open a connection to S3, and to wait for its answer to begin'),
  s3ReadTimeoutMs: setting('S3_READ_TIMEOUT_MS', int(100, 3_600_000).default(60_000), 'milliseconds an S3 body may send nothing while the worker waits for it: the read then goes on from where it stopped (3 times), then the message is released for a retry'),
  endpointUrl: setting('AWS_ENDPOINT_URL', httpUrl().optional(), 'AWS endpoint (the local emulator); unset for AWS'),
  s3ExpectedBucketOwner: setting('S3_EXPECTED_BUCKET_OWNER', perBucket(/^\d{12}$/, 'a 12-digit account id').optional(), 'account id that must own the buckets read (sent as `ExpectedBucketOwner`, so a bucket re-created by another account is refused): `111122223333` for all, or `bucket=111122223333,…` with `*=…` for the rest'),
  s3RoleArn: setting('S3_ROLE_ARN', perBucket(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN').optional(), 'role to assume for reading the buckets (a central log-archive account): one ARN for all, or `bucket=arn:…,…` with `*=arn:…` for the rest; STS credentials are cached and refreshed'),
  region: setting('AWS_REGION', z.string().min(1).default('us-east-1'), 'region (also for SigV4)'),
  s3ForcePathStyle: setting('S3_FORCE_PATH_STYLE', bool.optional(), 'path-style S3 addressing', { shownDefault: 'on with an endpoint' }),
  healthPort: setting('HEALTH_PORT', int(0, 65_535).optional(), 'port of the worker\'s `/healthz`, `/readyz` and `/metrics` (Prometheus) server; unset: no server (the image sets 9464), 0: any free port', { shownDefault: 'off' }),
  healthHost: setting('HEALTH_HOST', z.string().min(1).default('127.0.0.1'), 'address the health server listens on (the image sets `0.0.0.0`)'),
  logLevel: setting('LOG_LEVEL', z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'), '`trace` … `fatal`, `silent`; logs are JSON lines on stderr, secrets redacted'),
} as const;

export type SettingName = keyof typeof SETTINGS;

/** Environment variable of each setting. */
export const ENV = Object.fromEntries(Object.entries(SETTINGS).map(([name, spec]) => [name, spec.env])) as {
  readonly [K in SettingName]: (typeof SETTINGS)[K]['env'];
};

/** The default a setting's docs show: its own text, else the schema's default value, else none. */
export function shownDefault(name: SettingName): string | undefined {
  const spec: SettingSpec = SETTINGS[name];
  if (spec.shownDefault !== undefined) return spec.shownDefault;
  const schema = spec.schema;
  if (!(schema instanceof z.ZodDefault)) return undefined;
  const value: unknown = schema.def.defaultValue;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
}

type Shape = { [K in SettingName]: (typeof SETTINGS)[K]['schema'] };
const shape = Object.fromEntries(Object.entries(SETTINGS).map(([name, spec]) => [name, spec.schema])) as Shape;

export const settingsSchema = z
  .object(shape)
  .superRefine((s, ctx) => {
    const format = headerlessFormat(s.flowFormat);
    if ('error' in format) ctx.addIssue({ code: 'custom', path: ['flowFormat'], message: format.error });
    const formats = 'error' in format ? undefined : groupFormats(s.cwlGroupFormats, format);
    if (formats !== undefined && 'error' in formats) ctx.addIssue({ code: 'custom', path: ['cwlGroupFormats'], message: formats.error });
    if (s.heartbeatInterval >= s.visibilityTimeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['heartbeatInterval'],
        message: `must be below SQS_VISIBILITY_TIMEOUT (${s.visibilityTimeout} s), or messages reappear while in work`,
      });
    }
    if (s.opensearchAuth === 'basic' && s.opensearchUsername === undefined) {
      ctx.addIssue({ code: 'custom', path: ['opensearchAuth'], message: 'basic needs OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD' });
    }
    const passwords = (s.opensearchPassword === undefined ? 0 : 1) + (s.opensearchPasswordFile === undefined ? 0 : 1);
    if ((s.opensearchUsername === undefined) !== (passwords === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['opensearchPassword'],
        message: 'OpenSearch basic auth needs both OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE (or neither)',
      });
    }
    if (passwords === 2) {
      ctx.addIssue({ code: 'custom', path: ['opensearchPasswordFile'], message: 'give OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE, not both' });
    }
  });

export type Config = z.output<typeof settingsSchema>;

/** How requests to OpenSearch authenticate: as set, else basic when a username is given, else none. */
export function opensearchAuth(c: Pick<Config, 'opensearchAuth' | 'opensearchUsername'>): 'none' | 'basic' | 'sigv4' {
  return c.opensearchAuth ?? (c.opensearchUsername ? 'basic' : 'none');
}
