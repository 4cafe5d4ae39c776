/**
 * The entry of a parse thread of {@link ParsePool}: it only connects the thread's port to
 * parse-task.ts, where the work is done (and tested on the main thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SharedEnrichment } from '../enrich/geoip.js';
import { serveParseTasks } from './parse-task.js';

serveParseTasks(parentPort, workerData as SharedEnrichment);
