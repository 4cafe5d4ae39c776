import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { QueryKind, fieldType, kindSpec, type KindSpec } from '../query/fields.js';
import { parseCondition, parseFindip, type QueryFilter } from '../query/filter.js';
import { OutputFormat, documentWriter, writeTop } from '../query/output.js';
import { searchDocuments } from '../query/search.js';
import { parseTop, topFromIndex, type TopRequest } from '../query/top.js';
import { parseWhen } from '../query/when.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { parseS3Uri } from '../source/s3.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, intOption, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...OPENSEARCH_SETTINGS, ...AWS_SETTINGS, ...READ_SETTINGS] as const;

/** What the words after `query` ask: the kind of log, where from, and `findip ADDR`. */
interface Target {
  kind: QueryKind;
  s3?: { bucket: string; key: string };
  findip?: string;
}

/** Reads `[flows|cloudtrail] [s3://bucket/prefix] [findip ADDR]`, in any order. */
export function parseTarget(words: readonly string[]): Target {
  const target: Target = { kind: QueryKind.flows };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const s3 = parseS3Uri(word);
    if (word === QueryKind.flows || word === QueryKind.cloudtrail) target.kind = word;
    else if (s3) target.s3 = s3;
    else if (word === 'findip') {
      if (words[i + 1] === undefined) throw new ConfigError('findip: an address or CIDR block expected after it');
      target.findip = words[++i];
    } else throw new ConfigError(`query: ${JSON.stringify(word)} is not flows, cloudtrail, s3://bucket/prefix or findip ADDR`);
  }
  return target;
}

/** `query`: find flow records or CloudTrail events by time, address and field, in the index or straight from S3. */
export function queryCommand(): Command {
  const command = new Command('query')
    .description(COMMANDS.query.description)
    .argument('[words...]', '[flows|cloudtrail] [s3://bucket/prefix] [findip ADDR|CIDR]')
    .addOption(new Option('--since <time>', 'from this time on: ISO-8601 (UTC unless an offset is given) or a time ago (15m, 2h, 1d); default: no lower bound'))
    .addOption(new Option('--until <time>', 'before this time (same forms as --since); default: no upper bound'))
    .addOption(new Option('--where <field=value>', 'keep records whose field equals (=) or differs from (!=) the value; repeatable; addresses take CIDR blocks; default: none').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('--top <field>', 'rank the values of a field instead of listing records (default: list records)'))
    .addOption(new Option('--by <measure>', 'what --top ranks by: bytes, packets, flows (records) or events (CloudTrail); default: flows, or events for CloudTrail'))
    .addOption(new Option('--limit <n>', 'records printed at most (all by default); values ranked with --top (default 10)'))
    .addOption(new Option('--format <format>', 'lines: AWS\'s space-separated format; json: one document per line; csv; table').choices(Object.values(OutputFormat)).default(OutputFormat.lines))
    .addOption(new Option('--fields <list>', 'comma-separated columns for lines, csv and table (default: the v2 flow-log fields; for CloudTrail time, source, name, region, address, user ARN, error)'))
    .addOption(new Option('--no-header', 'leave out the header line (default: print it)'))
    .addOption(new Option('--concurrency <n>', 'objects read at once from S3').default('8'))
    .addOption(new Option('--key-lag <duration>', 'from S3: how far a key\'s delivery time may lie from its records; objects that far outside the range are still read').default('15m'));
  settingOptions(command, SETTINGS);
  return command.action(async (words: string[], opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const target = parseTarget(words);
    const spec = kindSpec(target.kind);
    const filter: QueryFilter = {
      range: { ...(opts.since ? { since: parseWhen('--since', opts.since) } : {}), ...(opts.until ? { until: parseWhen('--until', opts.until) } : {}) },
      ...(target.findip === undefined ? {} : { findip: parseFindip(target.findip) }),
      where: ((opts.where as string[] | undefined) ?? []).map((w) => parseCondition(spec, w)),
    };
    const limit = opts.limit === undefined ? undefined : intOption('--limit', opts.limit, 1, 10_000_000);
    const top = opts.top === undefined ? undefined : parseTop(spec, opts.top, opts.by ?? (target.kind === QueryKind.flows ? 'flows' : 'events'), limit ?? 10);
    if (top === undefined && opts.by !== undefined) throw new ConfigError('--by: only with --top FIELD');
    const columns = opts.fields === undefined ? spec.defaultColumns : (opts.fields as string).split(',').map((f) => f.trim());
    for (const c of columns) fieldType(spec, '--fields', c);
    const out = { format: opts.format as OutputFormat, columns, header: opts.header !== false, limit, top };
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      // `query … | head`: the reader has all it wants.
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
    // The AWS SDK and the readers load only for S3: a query over the index starts quicker without them.
    if (target.s3) await (await import('./query-s3.js')).queryS3(config, target.s3, spec, filter, out, opts);
    else await fromIndex(config, spec, filter, out);
  });
}

/** How the answer is printed. */
export interface OutputChoice {
  readonly format: OutputFormat;
  readonly columns: readonly string[];
  readonly header: boolean;
  readonly limit: number | undefined;
  readonly top: TopRequest | undefined;
}

async function fromIndex(config: Config, spec: KindSpec, filter: QueryFilter, out: OutputChoice): Promise<void> {
  const client = createOpenSearchClient(config);
  await requireOpenSearch(client, config.opensearchUrl);
  const index = `${spec.kind === QueryKind.flows ? config.indexPrefix : config.cloudtrailIndexPrefix}-*`;
  if (out.top) {
    await writeTop(process.stdout, out.format, out.top, await topFromIndex(client, index, spec, filter, out.top), out.header);
    return;
  }
  const writer = documentWriter(process.stdout, out.format, out.columns, out.header);
  await writer.start();
  for await (const doc of searchDocuments(client, index, spec, filter, out.limit)) await writer.write(doc);
  await writer.end();
}
