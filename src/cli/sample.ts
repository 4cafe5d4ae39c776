import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { awsClients } from '../context.js';
import { uploadSamples } from '../sample/upload.js';
import { parseS3Uri } from '../source/s3.js';
import { AWS_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...AWS_SETTINGS] as const;

/** A whole number in [1, max], or a usage error naming the flag. */
function count(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`${flag} ${JSON.stringify(value)}: a whole number from 1 to ${max} expected`);
  return n;
}

/** `sample`: put generated flow-log objects into a bucket (the docker compose demo profile). */
export function sampleCommand(): Command {
  const command = new Command('sample')
    .description(COMMANDS.sample.description)
    .argument('<s3-uri>', 's3://bucket to upload to (keys follow the AWSLogs layout)')
    .addOption(new Option('--objects <n>', 'objects to upload').default('12'))
    .addOption(new Option('--records <n>', 'records per object').default('5000'));
  settingOptions(command, SETTINGS);
  return command.action(async (uri: string, opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const target = parseS3Uri(uri);
    if (!target) throw new ConfigError(`${JSON.stringify(uri)}: an s3://bucket URI expected`);
    const result = await uploadSamples(awsClients(config).s3, target.bucket, count('--objects', opts.objects, 10_000), count('--records', opts.records, 1_000_000));
    process.stdout.write(`${JSON.stringify({ bucket: target.bucket, ...result })}\n`);
  });
}
