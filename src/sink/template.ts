import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '../config/schema.js';
import { indexTemplate } from '../core/index-template.js';
import { deadLetterTemplate } from '../deadletter/opensearch-store.js';
import { cloudTrailTemplate } from '../formats/cloudtrail/reader.js';
import { LOG_FIELD, LOG_MAPPING, flowLogMappings } from '../formats/vpc-flow/document.js';

/**
 * The index template for flow-log indices, derived from the field catalogue so that every
 * known field has its type (ip, long, integer, date, keyword, geo_point) before the first
 * document arrives. A field the catalogue does not know is mapped as keyword by a dynamic
 * template, never as analysed text.
 */
export function flowLogTemplate(prefix: string): Record<string, unknown> {
  return indexTemplate(
    `${prefix}-*`,
    {
      dynamic_templates: [{ unknown_strings_as_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } }],
      properties: { ...flowLogMappings(), [LOG_FIELD]: LOG_MAPPING },
    },
    { 'mapping.total_fields.limit': 2000 },
  );
}

/** Where documents go, by kind: the names the templates are installed for. */
export interface IndexNames {
  readonly flowLogPrefix: string;
  readonly cloudtrailPrefix: string;
  readonly deadLetterIndex: string;
}

/** The index names a Config sets. */
export function indexNamesOf(c: Pick<Config, 'indexPrefix' | 'cloudtrailIndexPrefix' | 'deadLetterIndex'>): IndexNames {
  return { flowLogPrefix: c.indexPrefix, cloudtrailPrefix: c.cloudtrailIndexPrefix, deadLetterIndex: c.deadLetterIndex };
}

/** Installs (or updates) the index templates; returns their names. */
export async function installTemplates(client: Client, names: IndexNames): Promise<string[]> {
  const templates: Record<string, Record<string, unknown>> = {
    [`${names.flowLogPrefix}-template`]: flowLogTemplate(names.flowLogPrefix),
    [`${names.cloudtrailPrefix}-template`]: cloudTrailTemplate(names.cloudtrailPrefix),
    [`${names.deadLetterIndex}-template`]: deadLetterTemplate(names.deadLetterIndex),
  };
  for (const [name, body] of Object.entries(templates)) await client.indices.putIndexTemplate({ name, body: body as never });
  return Object.keys(templates);
}
