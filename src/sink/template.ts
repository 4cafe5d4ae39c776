import type { Client } from '@opensearch-project/opensearch';
import { flowLogMappings } from '../formats/vpc-flow/document.js';

/**
 * The index template for flow-log indices, derived from the field catalogue so that every
 * known field has its type (ip, long, integer, date, keyword, geo_point) before the first
 * document arrives. A field the catalogue does not know is mapped as keyword by a dynamic
 * template, never as analysed text.
 */
export function flowLogTemplate(prefix: string): Record<string, unknown> {
  return {
    index_patterns: [`${prefix}-*`],
    priority: 100,
    template: {
      settings: {
        number_of_shards: 1,
        // One replica where a second node exists, none on a single node (so a local node is green).
        auto_expand_replicas: '0-1',
        refresh_interval: '5s',
        'mapping.total_fields.limit': 2000,
      },
      mappings: {
        dynamic_templates: [{ unknown_strings_as_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } }],
        properties: flowLogMappings(),
      },
    },
    _meta: { managed_by: 'aws-log-indexer' },
  };
}

/** Installs (or updates) the index templates; returns their names. */
export async function installTemplates(client: Client, flowLogPrefix: string): Promise<string[]> {
  const name = `${flowLogPrefix}-template`;
  await client.indices.putIndexTemplate({ name, body: flowLogTemplate(flowLogPrefix) as never });
  return [name];
}
