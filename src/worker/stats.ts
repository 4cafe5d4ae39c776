import type { ObjectOutcome } from '../pipeline/process-object.js';

/** Running totals of one worker process, printed at the end and logged periodically. */
export interface WorkerStats {
  messages: number;
  messagesDeleted: number;
  messagesRetried: number;
  /** Handed back unfinished when the worker stopped (visible again at once). */
  messagesReleased: number;
  messagesInvalid: number;
  testEvents: number;
  objects: number;
  objectsSkipped: number;
  objectsFailed: number;
  /** Objects in buckets outside ALLOWED_BUCKETS. */
  objectsRefused: number;
  lines: number;
  documents: number;
  badLines: number;
  /** NODATA/SKIPDATA records, indexed or dropped (DROP_STATUS_RECORDS). */
  statusRecords: number;
  dropped: number;
  created: number;
  exists: number;
  rejected: number;
  failed: number;
  deadLetters: number;
}

export const newStats = (): WorkerStats => ({
  messages: 0, messagesDeleted: 0, messagesRetried: 0, messagesReleased: 0, messagesInvalid: 0, testEvents: 0,
  objects: 0, objectsSkipped: 0, objectsFailed: 0, objectsRefused: 0,
  lines: 0, documents: 0, badLines: 0, statusRecords: 0, dropped: 0, created: 0, exists: 0, rejected: 0, failed: 0, deadLetters: 0,
});

/** Adds one object's outcome to the totals. */
export function addOutcome(stats: WorkerStats, outcome: ObjectOutcome): void {
  stats.objects += 1;
  if (outcome.status === 'skipped') {
    stats.objectsSkipped += 1;
    return;
  }
  if (outcome.status === 'failed') stats.objectsFailed += 1;
  const c = outcome.counts;
  stats.lines += c.lines;
  stats.documents += c.documents;
  stats.badLines += c.badLines;
  stats.statusRecords += c.statusRecords;
  stats.dropped += c.dropped;
  stats.created += c.created;
  stats.exists += c.exists;
  stats.rejected += c.rejected;
  stats.failed += c.failed;
  stats.deadLetters += c.deadLetters;
}
