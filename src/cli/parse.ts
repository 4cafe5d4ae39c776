import { Command, Option } from 'commander';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { loadConfig } from '../config/load.js';
import { where } from '../pipeline/errors.js';
import { readObject, type ReadOptions } from '../pipeline/read-object.js';
import type { S3ObjectRef } from '../pipeline/types.js';
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
    .description('read local files or s3://bucket/key objects and print their documents (no OpenSearch needed)')
    .argument('<inputs...>', 'local paths or s3://bucket/key URIs')
    .addOption(new Option('--output <mode>', 'json: one document per line; bulk: the exact _bulk body the worker sends').choices(Object.values(OutputMode)).default(OutputMode.json));
  settingOptions(command, SETTINGS);
  return command.action(async (inputs: string[], opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const read = await readOptions(config);
    let s3: ReturnType<typeof awsClients>['s3'] | undefined;
    let problems = 0;
    for (const input of inputs) {
      const uri = parseS3Uri(input);
      const ref: S3ObjectRef = uri ?? { bucket: '', key: input };
      const body = uri ? await openObject((s3 ??= awsClients(config).s3), ref) : createReadStream(input);
      problems += await printObject(ref, body, read, opts.output as OutputMode);
    }
    if (problems > 0) process.exitCode = 2;
  });
}

/** Prints one object's documents; returns how many lines could not be read. Progress and problems go to stderr. */
async function printObject(ref: S3ObjectRef, body: AsyncIterable<Buffer>, read: ReadOptions, mode: OutputMode): Promise<number> {
  const name = ref.bucket ? where(ref) : ref.key;
  const result = await readObject(ref, body, read);
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
