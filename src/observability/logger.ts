import { pino, type DestinationStream, type Logger } from 'pino';
import { redactDeep } from '../core/redact.js';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout belongs to command output such as `parse`). Secrets are
 * redacted by path as a second line of defence (the code never logs them on purpose), and the
 * userinfo of every URL in every message and field is cut out. `destination` lets a test keep a
 * worker's lines in a file instead of its reporter's stream.
 */
export function createLogger(level: string, name = 'aws-log-indexer', destination: DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['password', '*.password', 'opensearchPassword', '*.opensearchPassword', 'authorization', '*.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => redactDeep(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
