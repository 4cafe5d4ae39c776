/** Every subcommand's module loads and builds its command: a broken import shows here, not in production. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, type CommandName } from '../../../src/cli/commands.js';

describe('every CLI command', () => {
  for (const [name, entry] of Object.entries(COMMANDS) as Array<[CommandName, (typeof COMMANDS)[CommandName]]>) {
    it(`${name}: its module loads and builds the command the top-level help lists`, async () => {
      const command = await entry.load();
      assert.equal(command.name(), name);
      assert.equal(command.description(), entry.description);
      for (const option of command.options) assert.ok(option.description.trim().length > 0, `${name} ${option.flags} says what it does`);
    });
  }
});
