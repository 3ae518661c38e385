/** `perfloop profile`: through the agent (server and script), --pid through the inspector, --with perf. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { captureWith, toolInstalled } from '../../src/profile/capture/external.js';
import { captureFromPid } from '../../src/profile/capture/inspector-attach.js';
import { captureNode } from '../../src/profile/capture/node-agent.js';
import { importProfileFile } from '../../src/profile/import/index.js';
import { cliPath, fixture, tempDir } from '../helpers.js';
import { freePort } from '../../src/target/free-port.js';

const server = fixture('profiles', 'targets', 'busy-server.mjs');
const script = fixture('profiles', 'targets', 'busy-script.mjs');
const names = async (path: string) => new Set((await importProfileFile(path)).frames.map((f) => f.name));
/** The target's own code is in the profile (V8 may inline spin() into the handler, so look by file). */
const hasCodeOf = async (path: string, file: string) =>
  (await importProfileFile(path)).frames.some((f) => f.file?.endsWith(file));

test('a Node server is profiled through the agent for the duration', async () => {
  const out = join(tempDir(), 'server.cpuprofile');
  const r = await captureNode({ argv: [process.execPath, server], out, durationMs: 1500, stdio: 'ignore' });
  assert.equal(r.via, 'agent');
  assert.ok((r.samples ?? 0) > 100, `samples ${r.samples}`);
  assert.ok(await hasCodeOf(out, 'busy-server.mjs'));
});

test('a Node script that never listens is profiled for its whole run (--cpu-prof)', async () => {
  const out = join(tempDir(), 'script.cpuprofile');
  const r = await captureNode({ argv: ['node', script], out, durationMs: 20_000, stdio: 'ignore' });
  assert.equal(r.via, 'cpu-prof');
  assert.ok((await names(out)).has('crunch'));
});


test('--pid: a running Node process is profiled through its inspector, which is closed afterwards', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [`--inspect-port=${port}`, server], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    const out = join(tempDir(), 'pid.cpuprofile');
    const r = await captureFromPid({ pid: child.pid!, port, out, durationMs: 1200 });
    assert.equal(r.via, 'inspector');
    assert.ok(await hasCodeOf(out, 'busy-server.mjs'));
    const open = await fetch(`http://127.0.0.1:${port}/json/list`).then(
      () => true,
      () => false,
    );
    assert.equal(open, false, 'the inspector port is closed again');
    assert.equal(child.exitCode, null, 'the target keeps running');
  } finally {
    child.kill('SIGKILL');
  }
});

const perfWorks =
  toolInstalled('perf') &&
  spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' })
    .status === 0;

test(
  '--with perf: perf record + perf script around any command',
  { skip: perfWorks ? false : 'perf is not installed or may not record here' },
  async () => {
    const out = join(tempDir(), 'busy.perf.txt');
    const v8Logs = () => readdirSync(process.cwd()).filter((f) => /^isolate-.*-v8\.log$/.test(f)).length;
    const logsBefore = v8Logs();
    const r = await captureWith({
      tool: 'perf',
      argv: [process.execPath, script],
      out,
      durationMs: 10_000,
      stdio: 'ignore',
    });
    assert.equal(r.via, 'perf');
    const p = await importProfileFile(out);
    assert.equal(p.meta.format, 'perf-script');
    assert.ok(
      p.frames.some((f) => f.name === 'crunch'),
      'JavaScript frames are named (--perf-basic-prof-only-functions)',
    );
    assert.equal(v8Logs(), logsBefore, 'no isolate-*-v8.log left in the working directory');
  },
);

test('CLI: a profiler that is not installed, or a bad combination, is a usage error', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cliPath, 'profile', ...args], { encoding: 'utf8', timeout: 30_000 });
  if (!toolInstalled('py-spy')) {
    const r = run('--with', 'py-spy', '--', 'python3', '-c', 'pass');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /PROFILER_MISSING: py-spy is not installed/);
  }
  assert.equal(run().status, 2);
  assert.equal(run('--pid', '1', '--', 'node', 'x.js').status, 2);
  assert.equal(run('--duration', 'soon', '--', 'node', 'x.js').status, 2);
});
