import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from './config/schema.js';
import { openEnrichment } from './enrich/geoip.js';
import type { Enricher } from './enrich/types.js';
import { groupFormats } from './formats/cwl/groups.js';
import { isParseError } from './formats/vpc-flow/parse.js';
import { ParsePool } from './pipeline/parse-pool.js';
import { LoadPlacement, type Placement } from './pipeline/parse-placement.js';
import { flowFormatOf, type ReadOptions } from './pipeline/read-object.js';
import { BucketRoutedS3 } from './source/bucket-access.js';

/**
 * AWS clients for the configured region and endpoint (the local emulator, or AWS when unset). S3
 * requests go out per bucket: owner-checked, with the bucket's role and in its region.
 */
export function awsClients(config: Config): { s3: BucketRoutedS3; sns: SNSClient; sqs: SQSClient } {
  const common = { region: config.region, ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}) };
  // Emulators answer on one host name, so bucket names cannot be subdomains there.
  const forcePathStyle = config.s3ForcePathStyle ?? config.endpointUrl !== undefined;
  // Without timeouts, a connection that opens but never answers holds its pooled socket for good.
  const requestHandler = { connectionTimeout: config.s3ConnectTimeoutMs, requestTimeout: config.s3ConnectTimeoutMs, throwOnRequestTimeout: true };
  const s3 = new BucketRoutedS3({ ...common, forcePathStyle, requestHandler }, { owners: config.s3ExpectedBucketOwner, roles: config.s3RoleArn });
  return { s3, sns: new SNSClient(common), sqs: new SQSClient(common) };
}

/**
 * Opens the configured GeoIP/ASN databases once (a bad path fails here, at start) and the parse
 * threads' pool, which by default sends lines to its threads only while the main thread is busy
 * (`placement`: parse-placement.ts).
 */
export async function readOptions(config: Config, placement: Placement = new LoadPlacement()): Promise<ReadOptions & { enricher: Enricher }> {
  const { enricher, shared } = await openEnrichment({ cityDbs: config.geoipCityDb, asnDb: config.geoipAsnDb });
  const pool = config.parseThreads > 0 ? new ParsePool(config.parseThreads, shared, { placement }) : undefined;
  const formats = groupFormats(config.cwlGroupFormats, flowFormatOf(config));
  // Validated with the settings, so an error cannot reach here.
  if (isParseError(formats)) throw new Error(`CWL_GROUP_FORMATS: ${formats.error}`);
  return { enricher, groupFormats: formats, indexPrefix: config.indexPrefix, maxLineBytes: config.maxLineBytes, maxObjectBytes: config.maxObjectBytes,
    headerlessPrefixes: config.headerlessPrefixes, flowFormat: config.flowFormat, dropStatusRecords: config.dropStatusRecords,
    cloudtrailIndexPrefix: config.cloudtrailIndexPrefix, cloudtrailMaxBlobBytes: config.cloudtrailMaxBlobBytes,
    cloudtrailMaxRecordBytes: config.cloudtrailMaxRecordBytes, parser: pool?.parse, cloudTrailParser: pool?.parseCloudTrail,
    cwlParser: pool?.parseCwl };
}
