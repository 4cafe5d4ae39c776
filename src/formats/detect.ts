/** The kinds of object the indexer knows, decided from the key layout AWS uses. */
export const ObjectKind = {
  vpcFlow: 'vpc-flow',
  cloudTrail: 'cloudtrail',
  cloudTrailDigest: 'cloudtrail-digest',
  unknown: 'unknown',
} as const;
export type ObjectKind = (typeof ObjectKind)[keyof typeof ObjectKind];

/**
 * Reads the kind from the key: `…/vpcflowlogs/…` or Hive-style `aws-service=vpcflowlogs/…` for
 * flow logs, `…/CloudTrail/…` for trails, `…/CloudTrail-Digest/…` for digests (not events).
 * `unknown` means the key does not say; the reader may still recognise the content.
 */
export function kindFromKey(key: string): ObjectKind {
  if (/(^|\/)CloudTrail-Digest\//.test(key)) return ObjectKind.cloudTrailDigest;
  if (/(^|\/)CloudTrail\//.test(key) || /_CloudTrail_[^/]*\.json(\.gz)?$/.test(key)) return ObjectKind.cloudTrail;
  if (/(^|\/)(aws-service=)?vpcflowlogs\//.test(key) || /_vpcflowlogs_[^/]*\.log(\.gz)?$/.test(key)) {
    return ObjectKind.vpcFlow;
  }
  return ObjectKind.unknown;
}

/**
 * The first key of a CloudWatch Logs subscription envelope, whatever order the writer chose (AWS:
 * messageType; moto: logEvents). A leading byte-order mark needs no step of its own: `\s` matches U+FEFF.
 */
const CWL_ENVELOPE_START = /^\s*\{\s*"(messageType|owner|logGroup|logStream|subscriptionFilters|logEvents)"\s*:/;

/** Bytes of the head looked at: the opening key comes within the first few of any envelope. */
const HEAD_BYTES = 256;

/**
 * True when an object's first decompressed bytes open a CloudWatch Logs subscription envelope (what
 * Firehose writes to S3 for a subscription filter). Its keys say nothing (Firehose's own layout,
 * `prefix/YYYY/MM/DD/HH/stream-…`), so the content decides; CloudTrail opens with `{"Records"`.
 */
export function isCwlEnvelopeHead(head: Buffer): boolean {
  // toString stops at the end of a shorter head.
  return CWL_ENVELOPE_START.test(head.toString('utf8', 0, HEAD_BYTES));
}
