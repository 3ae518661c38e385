import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTarget, processTree, type RunningTarget } from '../../src/target/index.js';
import { tempDir } from '../helpers.js';
import { freePort, pidRunning, printedPid, waitUntil, writeScripts } from './support.js';

let dir: string;
const started: RunningTarget[] = [];
before(() => {
  dir = tempDir('perfloop-target-stop-');
  writeScripts(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'stop-fixture', private: true, scripts: { start: 'node tcp-server.js' } }),
  );
});
after(async () => {
  await Promise.all(started.map((t) => t.stop(500)));
  rmSync(dir, { recursive: true, force: true });
});

async function startServer(command: string, env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const target = await startTarget({
    command,
    cwd: dir,
    env: { PORT: String(port), ...env },
    ready: { port },
  });
  started.push(target);
  const serverPid = await waitUntil('the server to print its pid', () => printedPid(target.stdoutTail()));
  return { target, serverPid };
}

test('through a sh wrapper: stop() kills the node grandchild, not just the shell', async () => {
  // `; echo` keeps sh from exec-ing node, so the tree really is sh → node.
  const { target, serverPid } = await startServer('node tcp-server.js; echo server ended');
  assert.notEqual(serverPid, target.pid, 'node is a child of the shell');
  assert.ok(processTree(target.pid).includes(serverPid));
  await target.stop();
  assert.equal(pidRunning(serverPid), false);
  assert.equal(pidRunning(target.pid), false);
});

test("through sh -c 'exec node …': stop() kills it", async () => {
  const { target, serverPid } = await startServer(`sh -c 'exec node tcp-server.js'`);
  await target.stop();
  assert.equal(pidRunning(serverPid), false);
});

test('through npm start (npm → sh → node): stop() kills the node grandchild', async () => {
  const { target, serverPid } = await startServer('npm start', {
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
  });
  assert.notEqual(serverPid, target.pid);
  assert.ok(processTree(target.pid).length >= 2, 'npm start runs node under a wrapper');
  const exit = await target.stop();
  assert.equal(pidRunning(serverPid), false);
  assert.ok(exit.code !== null || exit.signal !== null);
});

test('a process ignoring SIGTERM gets SIGKILL after graceMs; stop() is idempotent', async () => {
  const { target, serverPid } = await startServer('exec node stubborn.js');
  assert.equal(serverPid, target.pid, 'exec: node itself leads the group');
  const first = target.stop(500);
  const second = target.stop(500);
  const exit = await first;
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(await second, exit);
  assert.deepEqual(await target.stop(), exit, 'a later call shares the result');
  assert.equal(pidRunning(serverPid), false);
  assert.ok(target.stdoutTail().includes('got SIGTERM, ignoring it'), 'SIGTERM came first');
  assert.deepEqual(await target.exited, exit);
});

test('a target that exited on its own: stop() resolves with its exit', async () => {
  // The shell backgrounds the server, then exits 7 once the test creates `go` (no timing luck).
  const { target } = await startServer('node tcp-server.js & while [ ! -e go ]; do sleep 0.05; done; exit 7');
  writeFileSync(join(dir, 'go'), '');
  const exit = await target.exited;
  assert.deepEqual(exit, { code: 7, signal: null });
  assert.equal(target.hasExited(), true);
  // The backgrounded server is still in the group: stop() must take it down too.
  const serverPid = printedPid(target.stdoutTail()) as number;
  assert.equal(pidRunning(serverPid), true);
  assert.deepEqual(await target.stop(), exit);
  assert.equal(pidRunning(serverPid), false);
});
