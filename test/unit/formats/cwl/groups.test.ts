import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupFormats, groupSelector, selects } from '../../../../src/formats/cwl/groups.js';
import { DEFAULT_FORMAT, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';

describe('groupSelector and selects', () => {
  it('reads a trailing * as a prefix, anything else as an exact name', () => {
    assert.deepEqual(groupSelector('/vpc/*'), { prefix: true, text: '/vpc/' });
    assert.deepEqual(groupSelector('*'), { prefix: true, text: '' });
    assert.deepEqual(groupSelector('/vpc/a'), { prefix: false, text: '/vpc/a' });
    assert.deepEqual(groupSelector('/vpc/*/a'), { prefix: false, text: '/vpc/*/a' });
  });

  it('selects by prefix or by the whole name', () => {
    const prefix = groupSelector('/vpc/*');
    assert.equal(selects(prefix, '/vpc/'), true);
    assert.equal(selects(prefix, '/vpc/prod'), true);
    assert.equal(selects(prefix, '/vp'), false);
    assert.equal(selects(prefix, '/other/vpc/'), false);
    const exact = groupSelector('/vpc/a');
    assert.equal(selects(exact, '/vpc/a'), true);
    assert.equal(selects(exact, '/vpc/ab'), false);
    assert.equal(selects(exact, '/vpc/'), false);
  });
});

describe('groupFormats', () => {
  const fields = (formatOf: unknown, group: string): string => {
    assert.equal(typeof formatOf, 'function');
    return (formatOf as (g: string) => FlowFormat)(group).fields.join(' ');
  };
  const errorOf = (json: string): string => (groupFormats(json, DEFAULT_FORMAT) as { error: string }).error;

  it('gives every group the fallback when the setting is unset or blank', () => {
    for (const json of [undefined, '', ' \n\t']) {
      const formatOf = groupFormats(json, DEFAULT_FORMAT);
      assert.equal(typeof formatOf === 'function' && formatOf('/any'), DEFAULT_FORMAT, JSON.stringify(json));
    }
    assert.equal((groupFormats('{}', DEFAULT_FORMAT) as (g: string) => FlowFormat)('/any'), DEFAULT_FORMAT);
  });

  it('prefers the exact name to a prefix of the same group, whichever is written first', () => {
    for (const json of ['{"/a*": "${version} ${srcaddr}", "/a": "${version} ${bytes}"}', '{"/a": "${version} ${bytes}", "/a*": "${version} ${srcaddr}"}']) {
      const formatOf = groupFormats(json, DEFAULT_FORMAT);
      assert.equal(fields(formatOf, '/a'), 'version bytes', json);
      assert.equal(fields(formatOf, '/ab'), 'version srcaddr', json);
      assert.equal(fields(formatOf, '/b'), DEFAULT_FORMAT.fields.join(' '), json);
    }
  });

  it('prefers the longer of two matching prefixes, whichever is written first', () => {
    for (const json of ['{"/vpc/*": "${version} ${srcaddr}", "/vpc/prod-*": "${version} ${dstaddr}"}', '{"/vpc/prod-*": "${version} ${dstaddr}", "/vpc/*": "${version} ${srcaddr}"}']) {
      const formatOf = groupFormats(json, DEFAULT_FORMAT);
      assert.equal(fields(formatOf, '/vpc/prod-1'), 'version dstaddr', json);
      assert.equal(fields(formatOf, '/vpc/dev-1'), 'version srcaddr', json);
    }
  });

  it('refuses text that is not JSON, quoting the parser', () => {
    assert.match(errorOf('not json'), /^not JSON: "Unexpected token 'o', .*not valid JSON"$/);
  });

  it('refuses JSON that is not an object', () => {
    for (const json of ['[{"/a": "${version}"}]', 'null', '5', '"/a"']) {
      assert.equal(errorOf(json), 'must be a JSON object {"<group or prefix*>": "<format>"}', json);
    }
  });

  it('refuses a format that is not a string or not a format, naming its selector (escaped, cut to 200 characters)', () => {
    assert.equal(errorOf('{"/a": 5}'), 'the format of "/a" is not a string');
    assert.equal(errorOf('{"/a": null}'), 'the format of "/a" is not a string');
    assert.equal(errorOf('{"/a\\n": "${version} bytes"}'), 'the format of "/a\\n": format string token "bytes" is not of the form ${field}');
    const long = 'g'.repeat(250);
    assert.equal(errorOf(`{"/ok": "\${version}", "${long}": 1}`), `the format of "${'g'.repeat(200)}…" is not a string`);
    assert.equal(errorOf(`{"${long}": "\${version} x"}`), `the format of "${'g'.repeat(200)}…": format string token "x" is not of the form \${field}`);
  });
});
