import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProcSampler, processTree, type ProcTreeSample } from '../../src/target/index.js';
import { tempDir } from '../helpers.js';
import { mean, printedPid, waitUntil, writeScripts } from './support.js';

let dir: string;
const children: ChildProcess[] = [];
before(() => {
  dir = tempDir('perfloop-sampler-');
  writeScripts(dir);
});
after(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : 0,
    ),
  );
  rmSync(dir, { recursive: true, force: true });
});

/** Spawns `sh -c command` (or node directly) and waits for the script's `pid=` line. */
async function run(args: { node?: string; sh?: string }) {
  const child = args.node
    ? spawn(process.execPath, [join(dir, args.node)], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn('/bin/sh', ['-c', args.sh as string], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  const nodePid = await waitUntil('the pid line', () => printedPid(lines));
  return { child, nodePid, lines };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** The busy child's latest self-reported CPU time (µs), from its `cpu <µs>` lines. */
function reportedCpuMicros(lines: readonly string[], after = -1): number | undefined {
  const last = lines.findLast((l) => l.startsWith('cpu '));
  const micros = last === undefined ? undefined : Number(last.slice(4));
  return micros !== undefined && micros > after ? micros : undefined;
}

test('a busy child holding ~200 MB: CPU matches its own accounting, high RSS, one process', async (t) => {
  const { child, nodePid, lines } = await run({ node: 'busy.js' });
  assert.equal(nodePid, child.pid);
  const timed = new ProcSampler(nodePid, 200);
  timed.start();

  // Reference: the child's getrusage() CPU time (not /proc). A second sampler is sampled by hand
  // right when a report arrives, so both measure the same window — on a loaded machine too, where
  // the busy child may get far less than a core.
  const manual = new ProcSampler(nodePid);
  const cpuStart = await waitUntil('a first cpu report', () => reportedCpuMicros(lines));
  const first = manual.sampleNow();
  const cpuEnd = await waitUntil('≥ 1 s of CPU used', () => reportedCpuMicros(lines, cpuStart + 1e6), 30_000);
  const second = manual.sampleNow();
  const samples = timed.stop();
  await stopChild(child);

  assert.ok(first && second);
  const reportedSeconds = (cpuEnd - cpuStart) / 1e6;
  const sampledSeconds = (second.cpuPct / 100) * ((second.t - first.t) / 1000);
  const ratio = sampledSeconds / reportedSeconds;
  assert.ok(
    ratio > 0.75 && ratio < 1.25,
    `sampled ${sampledSeconds.toFixed(2)} s vs reported ${reportedSeconds.toFixed(2)} s`,
  );

  const busy = samples.slice(1); // the first interval may include the end of start-up
  assert.ok(busy.length >= 4, `${busy.length} samples`);
  const avg = mean(busy.map((s) => s.cpuPct));
  const share = (reportedSeconds / ((second.t - first.t) / 1000)) * 100; // what the child really got
  if (share >= 70) assert.ok(avg > 50, `average cpuPct ${avg}`);
  else
    t.diagnostic(
      `loaded machine: the busy child got ${share.toFixed(0)} % of a core; average cpuPct ${avg.toFixed(1)}`,
    );
  // One busy thread is at most about one core: a wrong CLK_TCK would show up as 10× here.
  assert.ok(Math.max(...samples.map((s) => s.cpuPct)) < 200, `cpuPct ${samples.map((s) => s.cpuPct)}`);
  for (const s of samples) {
    assert.ok(s.rssBytes > 150 * 1024 * 1024, `rss ${s.rssBytes}`);
    assert.ok(s.threads >= 1);
    assert.ok(s.fds >= 3, `fds ${s.fds}`);
    assert.equal(s.processes, 1);
    assert.ok(Math.abs(s.t - Date.now()) < 60_000, 't is epoch ms');
  }
  assert.deepEqual(timed.stop(), samples, 'stop() returns every sample, again');
});

/** Samples until `enough` holds for the samples so far, or fails after the deadline. */
async function sampleUntil(
  sampler: ProcSampler,
  what: string,
  enough: (s: readonly ProcTreeSample[]) => boolean,
) {
  sampler.start();
  await waitUntil(what, () => enough(sampler.samples), 20_000);
  return sampler.stop();
}

test('an idle child: low CPU', async () => {
  const { child, nodePid } = await run({ node: 'idle.js' });
  const sampler = new ProcSampler(nodePid, 200);
  const samples = await sampleUntil(sampler, '8 samples', (s) => s.length >= 8);
  await stopChild(child);
  assert.ok(mean(samples.map((s) => s.cpuPct)) < 20, `cpuPct ${samples.map((s) => s.cpuPct)}`);
  assert.ok(samples.every((s) => s.rssBytes > 0 && s.rssBytes < 150 * 1024 * 1024));
});

test('a wrapper tree (sh → node) counts both processes; the tree going away ends sampling', async () => {
  const { child, nodePid } = await run({ sh: `"${process.execPath}" idle.js; exit 0` });
  assert.notEqual(nodePid, child.pid);
  assert.deepEqual(processTree(child.pid as number), [child.pid, nodePid]);
  const sampler = new ProcSampler(child.pid as number);
  const sample = sampler.sampleNow();
  assert.equal(sample?.processes, 2);
  assert.ok((sample?.threads ?? 0) >= 2, 'sh has one thread, node several');
  assert.ok((sample?.fds ?? 0) >= 6);

  process.kill(nodePid, 'SIGKILL'); // sh then exits 0
  await new Promise((r) => child.once('exit', r));
  assert.equal(sampler.sampleNow(), undefined);
  assert.equal(sampler.sampleNow(), undefined, 'stays gone');
  assert.equal(sampler.samples.length, 1, 'earlier samples are kept');
});

test('short-lived children reaped by the wrapper are counted once, not lost and not twice', async () => {
  // Three node children in a row, each burning exactly 1 s of CPU; sh waits for (reaps) each.
  const { child } = await run({
    sh: `echo pid=$$; for i in 1 2 3; do "${process.execPath}" burn-1s.js; done`,
  });
  const sampler = new ProcSampler(child.pid as number, 250);
  sampler.start();
  await new Promise((r) => child.once('exit', r));
  const samples = sampler.stop();
  assert.ok(samples.length >= 8, `${samples.length} samples over ≥ 3 s`);
  // Without the reap correction a sample would jump by 1 s / 0.25 s = +400 %.
  assert.ok(Math.max(...samples.map((s) => s.cpuPct)) < 200, `cpuPct ${samples.map((s) => s.cpuPct)}`);
  // CPU seconds seen ≈ 3 (node start-up adds a little); every exit must not lose its child's time.
  let cpuSeconds = 0;
  for (let i = 1; i < samples.length; i++)
    cpuSeconds += (samples[i].cpuPct / 100) * ((samples[i].t - samples[i - 1].t) / 1000);
  assert.ok(cpuSeconds > 2, `saw ${cpuSeconds.toFixed(2)} CPU seconds`);
});

test('sampleNow() never throws, even for a pid that never existed', () => {
  const sampler = new ProcSampler(2 ** 22 + 12345);
  assert.equal(sampler.sampleNow(), undefined);
  sampler.start();
  assert.deepEqual(sampler.stop(), []);
});
