import { batchReader, type BatchParser } from '../../src/formats/vpc-flow/reader.js';
import type { LineItem } from '../../src/source/lines.js';

/**
 * A stand-in for the parse threads' `BatchParser` that holds lines as the pool does: it parses them
 * (with `batchReader`, here) in tasks of `size` lines gathered across the reader's batches, holding
 * `ahead` tasks before it gives the first back; an empty batch adds nothing. Lines written over,
 * lost or doubled while it holds them show in what it gives back.
 */
export function holdingParser(size: number, ahead: number): BatchParser {
  return async function* (format, ctx, batches) {
    const toOps = batchReader(format, ctx);
    const tasks: LineItem[][] = [];
    let gathered: LineItem[] = [];
    for await (const items of batches) {
      gathered.push(...items);
      if (gathered.length < size) continue;
      tasks.push(gathered);
      gathered = [];
      if (tasks.length > ahead) yield toOps(tasks.shift() as LineItem[]);
    }
    if (gathered.length > 0) tasks.push(gathered);
    for (const task of tasks) yield toOps(task);
  };
}
