import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { groupSelector } from '../formats/cwl/groups.js';
import type { Logger } from '../observability/logger.js';
import { assemblePipeline } from '../pipeline/assemble.js';
import { flowFormatOf } from '../pipeline/read-object.js';
import { LogsReader, Pacer, cloudWatchLogsClient } from '../source/cloudwatch-logs.js';
import { CheckpointStore } from './checkpoints.js';
import { follow, type FollowerStats } from './follower.js';

export interface CwlRun {
  /** Where streams without a checkpoint start (ms); their first event when absent. */
  readonly startTime?: number;
  readonly untilCaughtUp: boolean;
  /** Aborting stops the follower: documents in flight are acknowledged and checkpointed, leases released. */
  readonly signal: AbortSignal;
}

/** Wires `cwl` from settings (API reader, checkpoint store, bulk indexer, dead letters) and follows. */
export async function runCwl(config: Config & { cwlLogGroups: string[] }, logger: Logger, run: CwlRun): Promise<FollowerStats> {
  const pipeline = await assemblePipeline(config, logger);
  const owner = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const fallback = flowFormatOf(pipeline.read);
  const reader = new LogsReader(cloudWatchLogsClient({ region: config.region, endpointUrl: config.endpointUrl }), new Pacer(config.cwlRequestsPerSecond), run.signal);
  logger.info({ owner, groups: config.cwlLogGroups, checkpointIndex: config.cwlCheckpointIndex }, 'cwl: following');
  try {
    return await follow(
      {
        reader,
        store: new CheckpointStore(pipeline.client, config.cwlCheckpointIndex, owner, config.cwlLeaseSeconds * 1000),
        sink: pipeline.sink,
        deadLetters: pipeline.deadLetters,
        read: {
          enricher: pipeline.read.enricher, indexPrefix: pipeline.read.indexPrefix, dropStatusRecords: pipeline.read.dropStatusRecords,
          formatOf: pipeline.read.groupFormats ?? (() => fallback),
        },
        selectors: config.cwlLogGroups.map(groupSelector),
        startTime: run.startTime,
        // Each round renews the leases: a pause of half the lease at most keeps idle streams held.
        pollMs: Math.min(config.cwlPollSeconds * 1000, config.cwlLeaseSeconds * 500),
        logger,
        signal: run.signal,
      },
      run.untilCaughtUp,
    );
  } finally {
    await pipeline.close();
  }
}
