import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BUCKET, KEY, OBJECT, lineBytes, scenario, testEnricher } from '../../../helpers/flow-lines.js';
import { jsOperation, wasmOperations } from '../../../helpers/flow-writer.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { formatFromFields, isParseError } from '../../../../src/formats/vpc-flow/parse.js';
import { FlowWriter } from '../../../../src/formats/vpc-flow/writer.js';
import { Scanned, WasmFlowWriter } from '../../../../src/formats/vpc-flow/wasm-writer.js';

/**
 * The writer compiled to WebAssembly against the JavaScript path it stands in for (writer.ts's
 * document, core/id.ts's id, core/bulk-op.ts's action line): the same operation byte for byte, the
 * same time and status, the same lines refused, on random lines of random formats.
 */
/** True when the line holds a byte JSON escapes in a keyword (a quote, a backslash, a control that is no separator): the module hands such a line back. */
const escapes = (line: Uint8Array): boolean => line.some((c) => c === 34 || c === 92 || c < 9 || (c > 13 && c < 32));

describe('WasmFlowWriter', () => {
  let enricher: Enricher;
  before(async () => {
    enricher = await testEnricher();
  });

  it('writes exactly the operation of the JavaScript path, or hands the line back, on random lines of random formats', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('vpcflowlogs-2026.11.22', 'flow-1970.01.01'), ({ fieldNames, values, extra, lineNo }, index) => {
        const format = formatFromFields(fieldNames);
        assert.ok(!isParseError(format));
        const writer = FlowWriter.compile(format, enricher, OBJECT);
        if (writer === undefined) return; // a generated key as a field name: the reference path runs
        const wasm = WasmFlowWriter.compile(format, enricher, OBJECT, BUCKET, KEY, writer.fixed);
        assert.ok(wasm !== undefined, 'a format of 30 fields at most fits the module');
        const bytes = lineBytes(`${values.join(' ')}${extra}`);
        const scanned = wasm.scan(bytes);
        const accepted = writer.scan(bytes);
        const text = bytes.toString('latin1');
        if (scanned === Scanned.bad) return assert.equal(accepted, false, text);
        if (scanned === Scanned.handedBack) return assert.ok(escapes(bytes), text);
        assert.equal(accepted, true, text);
        assert.equal(wasm.time, writer.time);
        assert.equal(wasm.isStatus, writer.isStatus);
        const [op, ...more] = wasmOperations(wasm, index, lineNo);
        assert.equal(more.length, 0);
        assert.equal(op?.toString('latin1'), jsOperation(writer, BUCKET, KEY, index, lineNo, bytes).toString('latin1'));
      }),
      { numRuns: 3000 },
    );
  });
});
