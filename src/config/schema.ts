import { z } from 'zod';
import { headerlessFormat } from '../formats/vpc-flow/headerless.js';

/**
 * The one place that reads settings. Every value comes from the environment (names below) and
 * may be overridden by a command-line flag; both go through this schema once, at start, so the
 * rest of the code receives a typed, validated `Config`.
 */

/** Environment variable for each setting; the README's settings table lists the same names. */
export const ENV = {
  queueUrl: 'QUEUE_URL',
  opensearchUrl: 'OPENSEARCH_URL',
  opensearchUsername: 'OPENSEARCH_USERNAME',
  opensearchPassword: 'OPENSEARCH_PASSWORD',
  opensearchTlsInsecure: 'OPENSEARCH_TLS_INSECURE',
  opensearchAuth: 'OPENSEARCH_AUTH',
  opensearchSigv4Service: 'OPENSEARCH_SIGV4_SERVICE',
  opensearchDocumentIds: 'OPENSEARCH_DOCUMENT_IDS',
  indexPrefix: 'INDEX_PREFIX',
  cloudtrailIndexPrefix: 'CLOUDTRAIL_INDEX_PREFIX',
  cloudtrailMaxBlobBytes: 'CLOUDTRAIL_MAX_BLOB_BYTES',
  geoipCityDb: 'GEOIP_CITY_DB',
  geoipAsnDb: 'GEOIP_ASN_DB',
  pollers: 'WORKER_POLLERS',
  batchSize: 'SQS_BATCH_SIZE',
  waitTimeSeconds: 'SQS_WAIT_TIME_SECONDS',
  visibilityTimeout: 'SQS_VISIBILITY_TIMEOUT',
  heartbeatInterval: 'SQS_HEARTBEAT_INTERVAL',
  shutdownGraceSeconds: 'SHUTDOWN_GRACE_SECONDS',
  bulkMaxBytes: 'BULK_MAX_BYTES',
  bulkMaxDocs: 'BULK_MAX_DOCS',
  bulkConcurrency: 'BULK_CONCURRENCY',
  maxLineBytes: 'MAX_LINE_BYTES',
  maxObjectBytes: 'MAX_OBJECT_BYTES',
  allowedBuckets: 'ALLOWED_BUCKETS',
  deadLetterIndex: 'DEADLETTER_INDEX',
  retryDelaySeconds: 'RETRY_DELAY_SECONDS',
  flowFormat: 'FLOW_FORMAT',
  dropStatusRecords: 'DROP_STATUS_RECORDS',
  headerlessPrefixes: 'HEADERLESS_PREFIXES',
  endpointUrl: 'AWS_ENDPOINT_URL',
  region: 'AWS_REGION',
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  logLevel: 'LOG_LEVEL',
} as const;

export type SettingName = keyof typeof ENV;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const settingsSchema = z
  .object({
    queueUrl: httpUrl.optional(),
    opensearchUrl: httpUrl.default('http://127.0.0.1:9200'),
    opensearchUsername: z.string().min(1).optional(),
    opensearchPassword: z.string().min(1).optional(),
    opensearchTlsInsecure: bool.default(false),
    opensearchAuth: z.enum(['none', 'basic', 'sigv4']).optional(),
    opensearchSigv4Service: z.enum(['es', 'aoss']).default('es'),
    opensearchDocumentIds: bool.default(true),
    indexPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only (an OpenSearch index name)')
      .default('vpcflowlogs'),
    cloudtrailIndexPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only (an OpenSearch index name)')
      .default('cloudtrail'),
    cloudtrailMaxBlobBytes: int(1024, 16 * 1024 * 1024).default(32 * 1024),
    geoipCityDb: list.default([]),
    geoipAsnDb: z.string().min(1).optional(),
    pollers: int(1, 64).default(2),
    batchSize: int(1, 10).default(10),
    waitTimeSeconds: int(0, 20).default(20),
    visibilityTimeout: int(10, 43_200).default(300),
    heartbeatInterval: int(1, 43_199).default(60),
    shutdownGraceSeconds: int(0, 3600).default(30),
    bulkMaxBytes: int(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
    bulkMaxDocs: int(1, 100_000).default(2000),
    bulkConcurrency: int(1, 64).default(2),
    maxLineBytes: int(256, 64 * 1024 * 1024).default(1024 * 1024),
    // 75 MB of gzip (AWS's largest flow-log file) unpacks to about 1 GiB; far more is a gzip bomb.
    maxObjectBytes: int(1024, Number.MAX_SAFE_INTEGER).default(8 * 1024 ** 3),
    allowedBuckets: list.optional(),
    deadLetterIndex: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, ., - and _ only (an OpenSearch index name)')
      .default('aws-log-indexer-deadletter'),
    retryDelaySeconds: int(0, 43_200).default(30),
    // Header-less flow-log lines (CloudWatch Logs exports): their format as AWS writes it.
    flowFormat: z.string().optional(),
    headerlessPrefixes: list.default([]),
    dropStatusRecords: bool.default(false),
    endpointUrl: httpUrl.optional(),
    region: z.string().min(1).default('us-east-1'),
    s3ForcePathStyle: bool.optional(),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .superRefine((s, ctx) => {
    const format = headerlessFormat(s.flowFormat);
    if ('error' in format) ctx.addIssue({ code: 'custom', path: ['flowFormat'], message: format.error });
    if (s.heartbeatInterval >= s.visibilityTimeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['heartbeatInterval'],
        message: `must be below the visibility timeout (${s.visibilityTimeout} s), or messages reappear while in work`,
      });
    }
    if (new URL(s.opensearchUrl).username || new URL(s.opensearchUrl).password) {
      ctx.addIssue({
        code: 'custom',
        path: ['opensearchUrl'],
        message: 'must not carry credentials (they would end up in logs): use OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD',
      });
    }
    if (s.opensearchAuth === 'basic' && s.opensearchUsername === undefined) {
      ctx.addIssue({ code: 'custom', path: ['opensearchAuth'], message: 'basic needs OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD' });
    }
    if ((s.opensearchUsername === undefined) !== (s.opensearchPassword === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['opensearchPassword'],
        message: 'OpenSearch basic auth needs both a username and a password',
      });
    }
  });

export type Config = z.output<typeof settingsSchema>;

/** How requests to OpenSearch authenticate: as set, else basic when a username is given, else none. */
export function opensearchAuth(c: Pick<Config, 'opensearchAuth' | 'opensearchUsername'>): 'none' | 'basic' | 'sigv4' {
  return c.opensearchAuth ?? (c.opensearchUsername ? 'basic' : 'none');
}
