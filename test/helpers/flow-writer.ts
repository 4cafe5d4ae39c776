import type { FlowWriter } from '../../src/formats/vpc-flow/writer.js';
import type { WasmFlowWriter } from '../../src/formats/vpc-flow/wasm-writer.js';
import { OpWriter } from '../../src/core/bulk-op.js';
import { lineIdBytesFactory } from '../../src/core/id.js';
import type { IndexOp } from '../../src/core/types.js';
import { encodedOp } from '../../src/sink/bulk-body.js';

/**
 * The scanned line's document as text, written into a buffer of exactly the writer's bound: the
 * writer throws when a document overruns it, so every test through here checks the bound too.
 */
export function written(writer: FlowWriter, lineNo: number): string {
  const out = Buffer.alloc(writer.bound);
  return out.toString('utf8', 0, writer.write(out, 0, lineNo));
}

/** The operation of the JavaScript path for the line `writer` scanned last: action line (id of core/id.ts), document, newline. */
export function jsOperation(writer: FlowWriter, bucket: string, key: string, index: string, lineNo: number, line: Uint8Array): Buffer {
  const opWriter = new OpWriter();
  const at = opWriter.beginWithIdBytes(index, lineIdBytesFactory(bucket, key)(lineNo, line), writer.bound);
  return Buffer.from(opWriter.end(writer.write(opWriter.buffer, at, lineNo)).bulk);
}

/** The operations the module gives for the line `wasm` scanned last, written and copied out. */
export function wasmOperations(wasm: WasmFlowWriter, index: string, lineNo: number): Buffer[] {
  const opWriter = new OpWriter();
  const ops: IndexOp[] = [];
  wasm.write(index, lineNo, opWriter, ops);
  wasm.copyOut(opWriter, ops);
  return ops.map((op) => Buffer.from(encodedOp(op).bulk));
}
