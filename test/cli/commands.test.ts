import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/cli/commands/index.js';

test('every lazily loaded command is the one its registry entry names, with a summary and usage', async () => {
  const names = COMMANDS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, 'command names are unique');
  for (const entry of COMMANDS) {
    const cmd = await entry.load();
    assert.equal(cmd.name, entry.name);
    assert.ok(cmd.summary.length > 10, `${cmd.name} has a summary`);
    assert.match(cmd.usage, new RegExp(`^perfloop ${cmd.name}\\b`), `${cmd.name} usage starts with its name`);
  }
});
