import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, tempDir } from '../helpers.js';

/** Bad flags and config files are refused before anything starts: exit 2, one line with the fix or file:line. */
function cli(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [cliPath, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

test('run --url without a scheme: exit 2 with the fix, and the target is never started', () => {
  const dir = tempDir('perfloop-validate-');
  const r = cli(dir, 'run', '--target', 'touch started', '--url', '127.0.0.1:3900/posts');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^perfloop: USAGE: --url: "127\.0\.0\.1:3900\/posts" is not an http:\/\/ or https:\/\/ URL — did you mean http:\/\/127\.0\.0\.1:3900\/posts\?/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(join(dir, 'started')), false, 'the target was not started');
  const one = cli(dir, 'run', '--url', 'http://127.0.0.1:1/', '--heap-snapshots', '1');
  assert.equal(one.status, 2);
  assert.match(one.stderr, /--heap-snapshots: a comparison needs at least 2/);
});

test('a config file that does not parse: exit 2 naming file:line; a loaded one is announced', () => {
  const dir = tempDir('perfloop-config-');
  writeFileSync(join(dir, 'perfloop.config.ts'), "export default {\n  target: 'node server.js',\n  endpoints: ['/a',\n");
  const r = cli(dir, 'run');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /CONFIG_INVALID: .*perfloop\.config\.ts:\d+:\d+: /);
  writeFileSync(join(dir, 'perfloop.config.ts'), '');
  assert.match(cli(dir, 'run').stderr, /perfloop\.config\.ts: no default export/);
  writeFileSync(join(dir, 'perfloop.config.ts'), "export default { baseUrl: 'http://127.0.0.1:9', endpoints: ['/a'], budget: 'budget.json' };\n");
  writeFileSync(join(dir, 'budget.json'), '{ "metrics": { "p95_latency_ms": { "max": 1 } }');
  const loaded = cli(dir, 'run', '--no-store');
  assert.match(loaded.stderr, /perfloop: using .*perfloop\.config\.ts/);
  assert.equal(loaded.status, 2, 'the truncated budget is bad input');
  const json = tempDir('perfloop-config-json-');
  writeFileSync(join(json, 'perfloop.config.json'), '{\n  "target": "node s.js",\n  "vus": 5,,\n}\n');
  const j = cli(json, 'run');
  assert.equal(j.status, 2);
  assert.match(j.stderr, /perfloop\.config\.json:3:\d+: /);
});
