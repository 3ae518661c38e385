import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isPerfloopError, type PerfloopError } from '../../src/core/errors.js';
import { startTarget, type RunningTarget } from '../../src/target/index.js';
import { tempDir } from '../helpers.js';
import { freePort, pidRunning, printedPid, waitUntil, writeScripts } from './support.js';

let dir: string;
const started: RunningTarget[] = [];
before(() => {
  dir = tempDir('perfloop-target-');
  writeScripts(dir);
});
after(async () => {
  await Promise.all(started.map((t) => t.stop(500)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTarget>[0]): Promise<RunningTarget> {
  const target = await startTarget({ cwd: dir, ...options });
  started.push(target);
  return target;
}

/** Runs startTarget expecting a PerfloopError and returns it. */
async function startFails(options: Parameters<typeof startTarget>[0]): Promise<PerfloopError> {
  try {
    const target = await start(options);
    await target.stop(500);
  } catch (e) {
    assert.ok(isPerfloopError(e), `expected a PerfloopError, got ${String(e)}`);
    return e;
  }
  assert.fail('startTarget should have failed');
}

describe('startTarget readiness', () => {
  test('ready by URL: the server answers 2xx once startTarget resolves', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const target = await start({
      command: 'node http-server.js',
      env: { PORT: String(port) },
      ready: { url: `http://127.0.0.1:${port}/` },
      onStdout: (line) => lines.push(line),
    });
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    assert.equal(await res.text(), 'ok');
    assert.equal(target.hasExited(), false);
    assert.equal(target.command, 'node http-server.js');
    assert.ok(printedPid(lines), 'onStdout received the pid line');
    assert.deepEqual(target.stdoutTail(1), [lines.at(-1)]);
    await target.stop();
    assert.equal(target.hasExited(), true);
  });

  test('ready by port: a TCP connect succeeds once startTarget resolves', async () => {
    const port = await freePort();
    const target = await start({
      command: 'node tcp-server.js',
      env: { PORT: String(port) },
      ready: { port },
    });
    await new Promise<void>((resolve, reject) => {
      const socket = createServer().listen(port, '127.0.0.1');
      // Listening on the same port must fail: the target holds it.
      socket.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve() : reject(e)));
      socket.once('listening', () => socket.close(() => reject(new Error('port was free'))));
    });
    await target.stop();
  });

  test('without a ready check the target is ready after staying alive 1 s', async () => {
    const target = await start({ command: 'node idle.js' });
    assert.equal(target.hasExited(), false);
    assert.ok(printedPid(target.stdoutTail()), 'it had time to start');
    await target.stop();
  });
});

describe('startTarget failures are one clear line', () => {
  test('exits before ready: names the command, the exit code and the stderr error line', async () => {
    const port = await freePort();
    const e = await startFails({ command: 'node does-not-exist.js', ready: { port } });
    assert.equal(e.code, 'TARGET_EXITED');
    assert.equal(e.exitCode, 2);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(
      e.message,
      /^target "node does-not-exist\.js" exited with code 1 before it was ready; stderr: /,
    );
    assert.match(e.message, /Cannot find module '.*does-not-exist\.js'/);
    // The excerpt is capped; the rest is the command and paths, whose length depends on the checkout's location.
    assert.ok(e.message.length < 700, `message stays short: ${e.message.length} chars`);
  });

  test('a crash with a long stack trace keeps the Error line and drops the frames', async () => {
    const e = await startFails({
      command: `node -e "Error.stackTraceLimit = 200; function deep(n){ if(n===0) throw new TypeError('boom at the bottom'); deep(n-1) } deep(120)"`,
      ready: { port: await freePort() },
    });
    assert.equal(e.code, 'TARGET_EXITED');
    assert.match(e.message, /stderr: TypeError: boom at the bottom/);
    assert.doesNotMatch(e.message, / at deep /);
    // The excerpt is capped; the rest is the command and paths, whose length depends on the checkout's location.
    assert.ok(e.message.length < 700, `message stays short: ${e.message.length} chars`);
  });

  test('not ready within the timeout: stopped, and the error names command, check and timeout', async () => {
    const port = await freePort();
    const pidFile = join(dir, 'never-listens.pid');
    const e = await startFails({
      command: 'node never-listens.js',
      env: { PID_FILE: pidFile },
      ready: { port },
      readyTimeoutMs: 1500,
    });
    assert.equal(e.code, 'TARGET_NOT_READY');
    assert.equal(e.exitCode, 2);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, /^target "node never-listens\.js" was not ready within 1500 ms/);
    assert.match(e.message, new RegExp(`TCP connect to 127\\.0\\.0\\.1:${port}`));
    assert.match(e.message, /last attempt: ECONNREFUSED/);
    assert.match(e.message, /stderr: warming up forever/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(pidRunning(pid), false, 'the target that never became ready was stopped');
  });

  test('a ready URL that answers non-2xx is not ready, and the status is reported', async () => {
    const port = await freePort();
    const e = await startFails({
      command: `node -e "require('http').createServer((q,s)=>{s.statusCode=503;s.end()}).listen(${port},'127.0.0.1')"`,
      ready: { url: `http://127.0.0.1:${port}/health` },
      // Long enough for node to start and answer at least once on a busy machine (it always waits this long).
      readyTimeoutMs: 6000,
    });
    assert.equal(e.code, 'TARGET_NOT_READY');
    assert.match(e.message, /GET http:\/\/127\.0\.0\.1:\d+\/health answering 2xx; last attempt: HTTP 503/);
  });

  test('something already serving on the ready port: refused before spawning anything', async () => {
    const port = await freePort();
    const squatter: Server = await new Promise((resolve) => {
      const s = createServer((c) => c.end()).listen(port, '127.0.0.1', () => resolve(s));
    });
    try {
      const marker = join(dir, 'spawned.marker');
      const e = await startFails({ command: `touch ${marker}; node idle.js`, ready: { port } });
      assert.equal(e.code, 'TARGET_PORT_IN_USE');
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.equal(existsSync(marker), false, 'the command never ran');
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  test('bad options are PerfloopErrors', async () => {
    assert.equal((await startFails({ command: '  ' })).code, 'TARGET_BAD_OPTIONS');
    assert.equal((await startFails({ command: 'true', ready: { port: 70000 } })).code, 'TARGET_BAD_OPTIONS');
    assert.equal(
      (await startFails({ command: 'true', ready: { url: 'localhost:3000' } })).code,
      'TARGET_BAD_OPTIONS',
    );
    assert.equal(
      (await startFails({ command: 'true', cwd: join(dir, 'missing') })).code,
      'TARGET_BAD_OPTIONS',
    );
    assert.equal((await startFails({ command: 'true', readyTimeoutMs: 0 })).code, 'TARGET_BAD_OPTIONS');
  });

  test('a command that exits 0 at once without a ready check is also "exited before ready"', async () => {
    const e = await startFails({ command: 'echo bye' });
    assert.equal(e.code, 'TARGET_EXITED');
    assert.match(e.message, /exited with code 0 before it was ready; no stderr; stdout: bye$/);
  });
});

test('onStderr sees lines, and a throwing callback does not break the target', async () => {
  const port = await freePort();
  const seen: string[] = [];
  const target = await start({
    command: `echo first >&2; echo second >&2; exec node tcp-server.js`,
    env: { PORT: String(port) },
    ready: { port },
    onStderr: (line) => {
      seen.push(line);
      throw new Error('callback bug');
    },
  });
  await waitUntil('both stderr lines', () => seen.length >= 2);
  assert.deepEqual(seen, ['first', 'second']);
  assert.deepEqual(target.stderrTail(), ['first', 'second']);
  assert.deepEqual(target.stderrTail(1), ['second']);
  await target.stop();
});
