import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { isAbsolute, normalize, sep } from 'node:path';
import { ConfigError, loadConfig, shownValue } from '../config/load.js';
import { ObjectError, localRef, where } from '../core/errors.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { isParquetKey, readObject, readParquetObject, type ReadOptions, type ReadResult } from '../pipeline/read-object.js';
import { fileAsyncBuffer, s3AsyncBuffer } from '../source/range-reader.js';
import { releaseOp, type S3ObjectRef } from '../core/types.js';
import { BodyPool, documentJson, encodedOp } from '../sink/bulk-body.js';
import { openObject, parseS3Uri } from '../source/s3.js';
import { awsClients, readOptions } from '../context.js';
import { AWS_SETTINGS, READ_SETTINGS, settingFlags, settingOptions } from './options.js';
import { ON_THREADS } from '../pipeline/parse-placement.js';

const SETTINGS = [...AWS_SETTINGS, ...READ_SETTINGS] as const;

export const OutputMode = { json: 'json', bulk: 'bulk' } as const;
export type OutputMode = (typeof OutputMode)[keyof typeof OutputMode];

/** One input: the object it is read as (ids, `log.object`, format detection), and where its bytes are. */
interface Input {
  readonly ref: S3ObjectRef;
  /** A local path, or undefined to read `ref` from S3. */
  readonly path?: string;
  /** How messages name it. */
  readonly name: string;
}

/** `parse`: files or s3:// objects to documents on stdout, without OpenSearch. */
export function parseCommand(): Command {
  const command = new Command('parse')
    .description(COMMANDS.parse.description)
    .argument('<inputs...>', 'local paths or s3://bucket/key URIs')
    .addOption(new Option('--output <mode>', 'json: one document per line; bulk: the exact _bulk body the worker sends').choices(Object.values(OutputMode)).default(OutputMode.json))
    .addOption(new Option('--as <s3-uri>', 'read local files as the S3 objects they are copies of, so ids, log.object and the format follow that key as in the worker: s3://bucket/key for one input; s3://bucket/prefix/ (ending in /) for several, each named prefix + its relative path (default: a local file is named by its path, file:// in log.object)'))
    .addOption(new Option('--headerless', 'the inputs are flow-log lines without a header line (CloudWatch Logs exports), in FLOW_FORMAT (--flow-format; default the v2 default format); without it the first line of each input is its header').default(false));
  settingOptions(command, SETTINGS);
  return command.action(async (args: string[], opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const inputs = inputsOf(args, opts.as as string | undefined);
    // Nothing but its own parsing holds `parse` back: every task goes to the threads from the first
    // (parsing on the main thread for the moment it takes to see that only added memory).
    const read = await readOptions(config, ON_THREADS);
    const options = opts.headerless ? { ...read, headerlessPrefixes: [''] } : read;
    let s3: ReturnType<typeof awsClients>['s3'] | undefined;
    let unreadable = 0;
    for (const input of inputs) {
      const client = input.path === undefined ? (s3 ??= awsClients(config).s3) : undefined;
      try {
        unreadable += await printObject(input, await openInput(input, client, options), opts.output as OutputMode);
      } catch (err) {
        // One input that cannot be read does not stop the others; it is reported and counted.
        if (!(err instanceof ObjectError)) throw err;
        process.stderr.write(`${input.name}${err.lineNo === undefined ? '' : ` line ${err.lineNo}`}: ${err.detail}\n`);
        unreadable += 1;
      }
    }
    if (unreadable > 0) process.exitCode = 2;
  });
}

/**
 * The inputs, named. Without `--as`, a local file is itself; with it, the S3 object it is a copy
 * of: one input takes the URI as its key, and a URI ending in `/` is a prefix before each input's
 * relative path (`cd` into the download so that paths are the keys' tails).
 * @throws ConfigError when `--as` does not fit the inputs.
 */
export function inputsOf(args: readonly string[], as: string | undefined): Input[] {
  const target = as === undefined ? undefined : parseS3Uri(as);
  const prefix = as?.endsWith('/') ?? false;
  if (as !== undefined && (target === undefined || (!prefix && target.key === ''))) throw new ConfigError(`flag --as = ${shownValue(as)}: s3://bucket/key (one input) or s3://bucket/prefix/ (several) expected`);
  return args.map((arg) => {
    const uri = parseS3Uri(arg);
    if (uri) {
      if (target) throw new ConfigError(`--as renames local files, and ${shownValue(arg)} is already an S3 object`);
      return { ref: uri, name: where(uri) };
    }
    if (!target) return { ref: localRef(arg), path: arg, name: arg };
    const ref = prefix ? { bucket: target.bucket, key: target.key + keyTail(arg) } : target;
    if (!prefix && args.length > 1) throw new ConfigError(`flag --as = ${shownValue(as)} names one object, and ${args.length} inputs were given: end it with / to make it a prefix`);
    return { ref, path: arg, name: `${where(ref)} (read from ${arg})` };
  });
}

/** A relative path as the tail of a key: `/`-separated, with no `..` that would leave the prefix. */
function keyTail(path: string): string {
  const tail = normalize(path).split(sep).join('/');
  if (isAbsolute(path) || tail === '..' || tail.startsWith('../')) {
    throw new ConfigError(`with --as s3://bucket/prefix/, inputs are relative paths inside the prefix; ${shownValue(path)} is not`);
  }
  return tail;
}

/** Reads a local file or an S3 object: Parquet through random access, everything else as a stream. */
async function openInput(input: Input, s3: S3Client | undefined, options: ReadOptions): Promise<ReadResult> {
  const { ref, path } = input;
  if (isParquetKey(ref.key)) {
    // The file handle stays open until the process ends: parse reads each input once, to the end.
    return await readParquetObject(ref, s3 ? await s3AsyncBuffer(s3, ref) : await fileAsyncBuffer(path ?? ref.key), options);
  }
  if (!s3) {
    // A local file is dated by its modification time, as an S3 object by its LastModified (a
    // file that cannot be read fails below, when it is opened).
    const file = path ?? ref.key;
    const time = ref.time ?? (await stat(file).then((s) => Math.floor(s.mtimeMs / 1000), () => undefined));
    return readObject(time === undefined ? ref : { ...ref, time }, createReadStream(file), options);
  }
  const opened = await openObject(s3, ref);
  return readObject({ ...ref, time: ref.time ?? opened.modified }, opened.body, options);
}

/**
 * Buffers `--output bulk` joins a batch's operations into, each given back once stdout wrote it: a
 * new buffer outside V8's heap per batch (~840 KB a thousand flow records) made V8 collect more
 * often and raised the peak (BENCHMARKS.md, "Parse threads' answers and `parse`'s output in
 * buffers used again"). A batch larger than a buffer gets one of its own.
 */
const OUTPUT_BODIES = new BodyPool(4 * 1024 * 1024, 4);

/**
 * Prints one object's documents; returns how many lines (or whole inputs that are no log) could
 * not be read. Progress and problems go to stderr.
 */
async function printObject(input: Input, result: ReadResult, mode: OutputMode): Promise<number> {
  const { name } = input;
  if (result.kind === 'skip') {
    process.stderr.write(`${name}: ${result.notALog ? 'not read' : 'skipped'}: ${result.reason}\n`);
    return result.notALog ? 1 : 0;
  }
  let documents = 0;
  let problems = 0;
  for await (const batch of result.batches) {
    for (const p of batch.problems) process.stderr.write(`${name} line ${p.lineNo}: ${p.reason}\n`);
    problems += batch.problems.length;
    documents += batch.ops.length;
    if (batch.ops.length === 0) continue;
    // `_bulk` output is the bytes the indexer would send (encoded by a parse thread, or here), in a
    // buffer of the pool given back once written.
    const out = mode === OutputMode.bulk ? OUTPUT_BODIES.join(batch.ops.map(encodedOp)) : batch.ops.map((op) => `${documentJson(op)}\n`).join('');
    // `out` is a copy: the operations' memory can be written again.
    for (const op of batch.ops) releaseOp(op);
    const written = typeof out === 'string' ? process.stdout.write(out) : process.stdout.write(out, () => OUTPUT_BODIES.release(out));
    if (!written) await once(process.stdout, 'drain');
  }
  process.stderr.write(`${name}: ${documents} documents, ${problems} lines not readable\n`);
  return problems;
}
