/**
 * The frame every index template of the project shares: one shard per daily index, a replica
 * only where a second node exists (so a single local node is green), a 5 s refresh, and a marker
 * saying who manages it. Each kind of document brings its own mappings.
 */
export function indexTemplate(
  pattern: string,
  mappings: Record<string, unknown>,
  settings: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    index_patterns: [pattern],
    priority: 100,
    template: {
      settings: { number_of_shards: 1, auto_expand_replicas: '0-1', refresh_interval: '5s', ...settings },
      mappings,
    },
    _meta: { managed_by: 'aws-log-indexer' },
  };
}
