import type { FlowWriter } from '../../src/formats/vpc-flow/writer.js';

/**
 * The scanned line's document as text, written into a buffer of exactly the writer's bound: the
 * writer throws when a document overruns it, so every test through here checks the bound too.
 */
export function written(writer: FlowWriter, lineNo: number): string {
  const out = Buffer.alloc(writer.bound);
  return out.toString('utf8', 0, writer.write(out, 0, lineNo));
}
