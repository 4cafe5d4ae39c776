import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SETTINGS_TABLE, settingsTable } from '../../../scripts/settings-table.js';
import { markers, readSection } from '../../../scripts/lib/readme-section.js';
import { ENV } from '../../../src/config/schema.js';
import { settingHelp } from '../../../src/cli/options.js';

describe('the README settings table', () => {
  it('is the generated one', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const inReadme = readSection(readme, SETTINGS_TABLE);
    assert.ok(inReadme !== undefined, `README.md has no ${markers(SETTINGS_TABLE).join(' … ')} markers`);
    assert.equal(inReadme, settingsTable(), 'README.md\'s settings table is out of date: run `node --import tsx scripts/settings-table.ts --write`');
  });

  it('has a row per environment variable, with the default the schema applies', () => {
    const rows = settingsTable().split('\n').slice(2);
    assert.equal(rows.length, Object.keys(ENV).length);
    assert.ok(rows.includes('| `SQS_WAIT_TIME_SECONDS` | `20` | long-poll wait in seconds (0–20) |'));
    assert.ok(rows.some((r) => r.startsWith('| `QUEUE_URL` | — |')));
  });
});

describe('--help of a setting', () => {
  it('says what it does, its variable and its default', () => {
    assert.equal(settingHelp('waitTimeSeconds'), 'long-poll wait in seconds (0–20) (env SQS_WAIT_TIME_SECONDS, default: 20)');
    assert.equal(settingHelp('queueUrl'), 'SQS queue the worker polls (required for worker) (env QUEUE_URL)');
  });
});
