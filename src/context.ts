import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from './config/schema.js';
import { openEnricher } from './enrich/geoip.js';
import type { Enricher } from './enrich/types.js';
import { groupFormats } from './formats/cwl/groups.js';
import { isParseError } from './formats/vpc-flow/parse.js';
import { flowFormatOf, type ReadOptions } from './pipeline/read-object.js';

/** AWS clients for the configured region and endpoint (the local emulator, or AWS when unset). */
export function awsClients(config: Config): { s3: S3Client; sns: SNSClient; sqs: SQSClient } {
  const common = { region: config.region, ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}) };
  // Emulators answer on one host name, so bucket names cannot be subdomains there.
  const forcePathStyle = config.s3ForcePathStyle ?? config.endpointUrl !== undefined;
  return { s3: new S3Client({ ...common, forcePathStyle }), sns: new SNSClient(common), sqs: new SQSClient(common) };
}

/** Opens the configured GeoIP/ASN databases once; a bad path fails here, at start. */
export async function readOptions(config: Config): Promise<ReadOptions & { enricher: Enricher }> {
  const enricher = await openEnricher({ cityDbs: config.geoipCityDb, asnDb: config.geoipAsnDb });
  const formats = groupFormats(config.cwlGroupFormats, flowFormatOf(config));
  // Validated with the settings, so an error cannot reach here.
  if (isParseError(formats)) throw new Error(`CWL_GROUP_FORMATS: ${formats.error}`);
  return { enricher, groupFormats: formats, indexPrefix: config.indexPrefix, maxLineBytes: config.maxLineBytes, maxObjectBytes: config.maxObjectBytes,
    headerlessPrefixes: config.headerlessPrefixes, flowFormat: config.flowFormat, dropStatusRecords: config.dropStatusRecords,
    cloudtrailIndexPrefix: config.cloudtrailIndexPrefix, cloudtrailMaxBlobBytes: config.cloudtrailMaxBlobBytes };
}
