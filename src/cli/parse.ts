import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { loadConfig } from '../config/load.js';
import { where } from '../core/errors.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { isParquetKey, readObject, readParquetObject, type ReadOptions, type ReadResult } from '../pipeline/read-object.js';
import { fileAsyncBuffer, s3AsyncBuffer } from '../source/range-reader.js';
import type { S3ObjectRef } from '../core/types.js';
import { serializeOp } from '../sink/bulk-body.js';
import { openObject, parseS3Uri } from '../source/s3.js';
import { awsClients, readOptions } from '../context.js';
import { AWS_SETTINGS, READ_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...AWS_SETTINGS, ...READ_SETTINGS] as const;

export const OutputMode = { json: 'json', bulk: 'bulk' } as const;
export type OutputMode = (typeof OutputMode)[keyof typeof OutputMode];

/** `parse`: files or s3:// objects to documents on stdout, without OpenSearch. */
export function parseCommand(): Command {
  const command = new Command('parse')
    .description(COMMANDS.parse.description)
    .argument('<inputs...>', 'local paths or s3://bucket/key URIs')
    .addOption(new Option('--output <mode>', 'json: one document per line; bulk: the exact _bulk body the worker sends').choices(Object.values(OutputMode)).default(OutputMode.json))
    .addOption(new Option('--headerless', 'the inputs are flow-log lines without a header line (CloudWatch Logs exports), in FLOW_FORMAT (--flow-format; default the v2 default format)'));
  settingOptions(command, SETTINGS);
  return command.action(async (inputs: string[], opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const read = await readOptions(config);
    const options = opts.headerless ? { ...read, headerlessPrefixes: [''] } : read;
    let s3: ReturnType<typeof awsClients>['s3'] | undefined;
    let problems = 0;
    for (const input of inputs) {
      const uri = parseS3Uri(input);
      // A local file is dated by its modification time, as an S3 object by its LastModified.
      const ref: S3ObjectRef = uri ?? { bucket: '', key: input, time: Math.floor((await stat(input)).mtimeMs / 1000) };
      const client = uri ? (s3 ??= awsClients(config).s3) : undefined;
      problems += await printObject(ref, await openInput(ref, client, options), opts.output as OutputMode);
    }
    if (problems > 0) process.exitCode = 2;
  });
}

/** Reads a local file or an S3 object: Parquet through random access, everything else as a stream. */
async function openInput(ref: S3ObjectRef, s3: S3Client | undefined, options: ReadOptions): Promise<ReadResult> {
  if (isParquetKey(ref.key)) {
    // The file handle stays open until the process ends: parse reads each input once, to the end.
    return await readParquetObject(ref, s3 ? await s3AsyncBuffer(s3, ref) : await fileAsyncBuffer(ref.key), options);
  }
  if (!s3) return readObject(ref, createReadStream(ref.key), options);
  const opened = await openObject(s3, ref);
  return readObject({ ...ref, time: ref.time ?? opened.modified }, opened.body, options);
}

/** Prints one object's documents; returns how many lines could not be read. Progress and problems go to stderr. */
async function printObject(ref: S3ObjectRef, result: ReadResult, mode: OutputMode): Promise<number> {
  const name = ref.bucket ? where(ref) : ref.key;
  if (result.kind === 'skip') {
    process.stderr.write(`${name}: skipped: ${result.reason}\n`);
    return 0;
  }
  let documents = 0;
  let problems = 0;
  for await (const batch of result.batches) {
    for (const p of batch.problems) process.stderr.write(`${name} line ${p.lineNo}: ${p.reason}\n`);
    problems += batch.problems.length;
    documents += batch.ops.length;
    const text = batch.ops.map((op) => (mode === OutputMode.bulk ? serializeOp(op) : `${JSON.stringify(op.doc)}\n`)).join('');
    if (text && !process.stdout.write(text)) await once(process.stdout, 'drain');
  }
  process.stderr.write(`${name}: ${documents} documents, ${problems} lines not readable\n`);
  return problems;
}
