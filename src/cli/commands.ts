import type { Command } from 'commander';

/** A subcommand: what the top-level help says of it, and its module, loaded only when it runs. */
interface CommandEntry {
  readonly description: string;
  readonly load: () => Promise<Command>;
}

/**
 * Every subcommand. A command's module pulls in the AWS SDK, the OpenSearch client or the Parquet
 * reader; loading only the one that runs keeps `--help` and `parse` quick to start.
 */
export const COMMANDS = {
  setup: {
    description: 'create the bucket, SNS topic, SQS queue with dead-letter queue, notifications and the OpenSearch index template (idempotent)',
    load: async () => (await import('./setup.js')).setupCommand(),
  },
  worker: {
    description: 'poll the SQS queue and index the objects its notifications name',
    load: async () => (await import('./worker.js')).workerCommand(),
  },
  cwl: {
    description: 'follow CloudWatch Logs groups of flow logs into the same indices, with checkpoints and leases shared in OpenSearch',
    load: async () => (await import('./cwl.js')).cwlCommand(),
  },
  parse: {
    description: 'read local files or s3://bucket/key objects and print their documents (no OpenSearch needed)',
    load: async () => (await import('./parse.js')).parseCommand(),
  },
  reprocess: {
    description: 'index every object under s3://bucket/prefix (again): here, or through the queue with --enqueue',
    load: async () => (await import('./reprocess.js')).reprocessCommand(),
  },
  sample: {
    description: 'upload generated VPC flow-log objects to s3://bucket (demos: the docker compose demo profile)',
    load: async () => (await import('./sample.js')).sampleCommand(),
  },
  report: {
    description: 'query the flow-log indices: document count, top talkers by bytes, rejected flows by port (--html: a page with charts and a map)',
    load: async () => (await import('./report.js')).reportCommand(),
  },
  query: {
    description: 'find flow records or CloudTrail events by time, address (findip, CIDR) and field, in the index or straight from s3://bucket/prefix; rank with --top',
    load: async () => (await import('./query.js')).queryCommand(),
  },
  prune: {
    description: 'delete our daily indices older than --older-than (30d); a dry run unless --yes',
    load: async () => (await import('./prune.js')).pruneCommand(),
  },
  replay: {
    description: 'replay dead letters (unparseable lines, refused documents) after a fix; replayed letters leave the store',
    load: async () => (await import('./deadletter.js')).replayCommand(),
  },
  redrive: {
    description: 'move every message of the dead-letter queue back to the main queue (after a fix)',
    load: async () => (await import('./deadletter.js')).redriveCommand(),
  },
} as const satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;
