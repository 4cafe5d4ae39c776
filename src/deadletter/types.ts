/** What a dead letter holds: something that could not be indexed, with everything needed to try again. */
export const DeadLetterKind = {
  /** A line no reader could turn into a document; `line` and `format` allow a replay after a fix. */
  line: 'line',
  /** A document OpenSearch refused for good (mapping conflict, too large); `document` is its JSON. */
  document: 'document',
  /** An object that cannot be read at all (gone, corrupt, over the size cap, bucket not allowed). */
  object: 'object',
  /** A queue message that is no notification we know. */
  message: 'message',
} as const;
export type DeadLetterKind = (typeof DeadLetterKind)[keyof typeof DeadLetterKind];

export interface DeadLetter {
  readonly kind: DeadLetterKind;
  readonly reason: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly lineNo?: number;
  /** The original line, whole (bounded by MAX_LINE_BYTES); absent for lines over that cap. */
  readonly line?: string;
  /** The object's header (flow logs), so a line can be parsed again on its own. */
  readonly format?: string;
  readonly index?: string;
  readonly id?: string;
  readonly document?: string;
  readonly messageId?: string;
  /** A message body, cut to a readable length. */
  readonly body?: string;
}

/** Where dead letters go. `record` resolves only once they are stored: a message may go only after that. */
export interface DeadLetterSink {
  record(letters: readonly DeadLetter[]): Promise<void>;
}
