import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { messageOf } from '../core/errors.js';
import { COMMANDS, type CommandName } from './commands.js';

/** Exit codes: 0 done, 1 failure, 2 done but some input was unreadable, 64 bad usage or settings. */
export const EXIT = { ok: 0, failure: 1, partial: 2, usage: 64 } as const;

/** Entry point of the `aws-log-indexer` command. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('aws-log-indexer')
    .description('Index AWS VPC Flow Logs from S3 (via SNS/SQS) into OpenSearch, exactly once')
    .exitOverride();
  // Only the command that runs is loaded; the others are listed by name for the help text.
  const requested = argv[2] === 'help' ? argv[3] : argv[2];
  for (const [name, entry] of Object.entries(COMMANDS) as [CommandName, (typeof COMMANDS)[CommandName]][]) {
    if (name === requested) program.addCommand(await entry.load());
    else program.command(name).description(entry.description);
  }
  // Usage errors of subcommands end here too (exit 64), not in commander's own process.exit.
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`aws-log-indexer: ${messageOf(err)}\n`);
    process.exitCode = EXIT.failure;
  }
}
