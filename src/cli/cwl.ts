import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { runCwl } from '../cwl/runtime.js';
import { createLogger } from '../observability/logger.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [
  'cwlLogGroups', 'cwlGroupFormats', 'cwlCheckpointIndex', 'cwlLeaseSeconds', 'cwlPollSeconds', 'cwlRequestsPerSecond',
  ...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, ...READ_SETTINGS, 'bulkMaxBytes', 'bulkMaxDocs', 'bulkConcurrency', 'deadLetterIndex',
] as const;

/** `cwl`: follow CloudWatch Logs groups of flow logs into the flow-log indices, with shared checkpoints. */
export function cwlCommand(): Command {
  const command = new Command('cwl')
    .description(COMMANDS.cwl.description)
    .addOption(new Option('--start-time <time>', 'where streams without a checkpoint start: ISO-8601 (2026-11-30T06:00:00Z) or epoch milliseconds (default: their first event)'))
    .addOption(new Option('--until-caught-up', 'stop once every followed stream has been read to its end since the start, then print totals').default(false));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const { cwlLogGroups } = config;
    if (!cwlLogGroups || cwlLogGroups.length === 0) throw new ConfigError('CWL_LOG_GROUPS (or --cwl-log-groups) is required: log group names, or prefixes ending in *, comma-separated');
    const startTime = opts.startTime === undefined ? undefined : parseStartTime(String(opts.startTime));
    const logger = createLogger(config.logLevel);
    const stop = new AbortController();
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'stopping: finishing the events in flight, then releasing the leases');
      stop.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const started = Date.now();
    const stats = await runCwl({ ...config, cwlLogGroups }, logger, { startTime, untilCaughtUp: Boolean(opts.untilCaughtUp), signal: stop.signal });
    const seconds = (Date.now() - started) / 1000;
    logger.info({ ...stats, seconds }, 'cwl stopped');
    if (opts.untilCaughtUp) process.stdout.write(`${JSON.stringify({ ...stats, seconds })}\n`);
  });
}

/** `--start-time`: epoch milliseconds, or an ISO-8601 time with its zone. */
export function parseStartTime(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isSafeInteger(ms)) throw new ConfigError(`--start-time ${JSON.stringify(text)}: epoch milliseconds or an ISO-8601 time with its zone (2026-11-30T06:00:00Z) expected`);
  return ms;
}
