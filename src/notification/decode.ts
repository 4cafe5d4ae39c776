import type { S3ObjectRef } from '../core/types.js';

/**
 * What an SQS message body asks for. Decoding never throws: a body we cannot use is a value
 * (`invalid`) with the reason, so the worker can decide what to do with the message.
 */
export type Notification =
  | { readonly kind: 'objects'; readonly envelope: Envelope; readonly objects: readonly S3ObjectRef[] }
  | { readonly kind: 'skip'; readonly envelope: Envelope; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** The envelope forms the reference lists; `sns:` prefixes mean SNS wrapped the inner form. */
export const Envelope = {
  s3Event: 's3-event',
  snsS3Event: 'sns:s3-event',
  eventBridge: 'eventbridge',
  snsEventBridge: 'sns:eventbridge',
  testEvent: 's3-test-event',
  snsTestEvent: 'sns:s3-test-event',
  cloudTrailNotice: 'cloudtrail-notice',
  snsCloudTrailNotice: 'sns:cloudtrail-notice',
} as const;
export type Envelope = (typeof Envelope)[keyof typeof Envelope];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes an S3 event key: form-style URL encoding, where `+` is a space and `%XX` are UTF-8
 * bytes. `+` must be replaced before percent-decoding, or an encoded `%2B` would become a space.
 */
export function decodeS3Key(encoded: string): string {
  const spaced = encoded.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A lone `%` that is not an escape: S3 would have encoded it, so keep the key as given.
    return spaced;
  }
}

/** Decodes one SQS message body into the S3 objects it names, a skip, or an invalid reason. */
export function decodeNotification(body: string): Notification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return { kind: 'invalid', reason: `body is not JSON (${(err as Error).message}): ${preview(body)}` };
  }
  if (!isObject(parsed)) return { kind: 'invalid', reason: `body is JSON but not an object: ${preview(body)}` };
  if (parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    return decodeSnsMessage(parsed.Message);
  }
  return decodeInner(parsed, false);
}

function decodeSnsMessage(message: string): Notification {
  let inner: unknown;
  try {
    inner = JSON.parse(message);
  } catch {
    return { kind: 'invalid', reason: `SNS Message is not JSON: ${preview(message)}` };
  }
  if (!isObject(inner)) return { kind: 'invalid', reason: `SNS Message is not a JSON object: ${preview(message)}` };
  return decodeInner(inner, true);
}

function decodeInner(msg: Json, viaSns: boolean): Notification {
  if (msg.Event === 's3:TestEvent') {
    const envelope = viaSns ? Envelope.snsTestEvent : Envelope.testEvent;
    return { kind: 'skip', envelope, reason: `s3:TestEvent for bucket ${String(msg.Bucket ?? '?')}` };
  }
  if (Array.isArray(msg.Records)) return decodeS3Event(msg.Records, viaSns);
  if (msg.source === 'aws.s3' && isObject(msg.detail)) return decodeEventBridge(msg, viaSns);
  if (typeof msg.s3Bucket === 'string' && Array.isArray(msg.s3ObjectKey)) return decodeCloudTrailNotice(msg, viaSns);
  return { kind: 'invalid', reason: `no known envelope (keys: ${Object.keys(msg).slice(0, 8).join(', ')})` };
}

function decodeS3Event(records: unknown[], viaSns: boolean): Notification {
  const envelope = viaSns ? Envelope.snsS3Event : Envelope.s3Event;
  const objects: S3ObjectRef[] = [];
  for (const [i, record] of records.entries()) {
    const ref = s3RecordRef(record);
    if (typeof ref === 'string') return { kind: 'invalid', reason: `S3 event Records[${i}]: ${ref}` };
    if (ref) objects.push(ref);
  }
  if (objects.length === 0) return { kind: 'skip', envelope, reason: 'S3 event names no created object' };
  return { kind: 'objects', envelope, objects };
}

/** One S3 event record → ref; undefined for events that create nothing; a string says what is wrong. */
function s3RecordRef(record: unknown): S3ObjectRef | undefined | string {
  if (!isObject(record)) return 'not an object';
  const version = String(record.eventVersion ?? '');
  if (!/^2(\.|$)/.test(version)) return `unsupported eventVersion "${version}" (major version 2 expected)`;
  if (typeof record.eventName === 'string' && !record.eventName.startsWith('ObjectCreated:')) return undefined;
  const s3 = record.s3;
  if (!isObject(s3) || !isObject(s3.bucket) || !isObject(s3.object)) return 'missing s3.bucket or s3.object';
  const bucket = s3.bucket.name;
  const key = s3.object.key;
  if (typeof bucket !== 'string' || typeof key !== 'string' || !bucket || !key) return 'missing bucket name or object key';
  return withRegion(withTime(withSize({ bucket, key: decodeS3Key(key) }, s3.object.size), record.eventTime), record.awsRegion);
}

function decodeEventBridge(msg: Json, viaSns: boolean): Notification {
  const envelope = viaSns ? Envelope.snsEventBridge : Envelope.eventBridge;
  const detail = msg.detail as Json;
  if (msg['detail-type'] !== 'Object Created') {
    return { kind: 'skip', envelope, reason: `EventBridge ${String(msg['detail-type'])} is not Object Created` };
  }
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail.object) ? detail.object : undefined;
  if (typeof bucket !== 'string' || !object || typeof object.key !== 'string') {
    return { kind: 'invalid', reason: 'EventBridge Object Created without detail.bucket.name or detail.object.key' };
  }
  // EventBridge keys are URL-encoded like S3 event keys.
  return { kind: 'objects', envelope, objects: [withRegion(withTime(withSize({ bucket, key: decodeS3Key(object.key) }, object.size), msg.time), msg.region)] };
}

function decodeCloudTrailNotice(msg: Json, viaSns: boolean): Notification {
  const envelope = viaSns ? Envelope.snsCloudTrailNotice : Envelope.cloudTrailNotice;
  const bucket = msg.s3Bucket as string;
  const keys = (msg.s3ObjectKey as unknown[]).filter((k): k is string => typeof k === 'string' && k.length > 0);
  if (keys.length === 0) return { kind: 'invalid', reason: 'CloudTrail notice without s3ObjectKey entries' };
  // CloudTrail's own notice carries keys as they are, not URL-encoded.
  return { kind: 'objects', envelope, objects: keys.map((key) => ({ bucket, key })) };
}

function withSize(ref: { bucket: string; key: string }, size: unknown): S3ObjectRef {
  return typeof size === 'number' && Number.isFinite(size) ? { ...ref, size } : ref;
}

/** The event's ISO-8601 time as epoch seconds, when it is one. */
function withTime(ref: S3ObjectRef, time: unknown): S3ObjectRef {
  const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isNaN(ms) ? ref : { ...ref, time: Math.floor(ms / 1000) };
}

/** Adds the bucket's region when the event names one (S3 events: `awsRegion`; EventBridge: `region`). */
function withRegion(ref: S3ObjectRef, region: unknown): S3ObjectRef {
  return typeof region === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? { ...ref, region } : ref;
}

function preview(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
