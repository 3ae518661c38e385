/**
 * pprof from a real Go program (Debian golang-go), built and run here: the CPU profile names the planted hot
 * function with runtime.asyncPreempt charged to it, and its total is the profile's own sample count × period;
 * the heap profile reads inuse_space by default and every other sample type on request, with exact byte counts
 * (MemProfileRate = 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile as PprofProfile } from 'pprof-format';
import { PerfloopError } from '../../src/core/errors.js';
import type { Profile } from '../../src/core/profile.js';
import { toolInstalled } from '../../src/profile/capture/external.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { importProfileFile } from '../../src/profile/import/index.js';
import { cliPath, fixture, tempDir } from '../helpers.js';

const skip =
  toolInstalled('go') || process.env.CI ? false : 'go is not installed (apt-get install golang-go)';
const MiB = 1 << 20;

let files: { cpu: string; heap: string } | undefined;
function profiles(): { cpu: string; heap: string } {
  if (files) return files;
  const dir = tempDir('perfloop-go-');
  // Go needs a build cache: the user's when there is a home, else one of its own.
  const env =
    process.env.HOME || process.env.GOCACHE ? process.env : { ...process.env, GOCACHE: join(dir, 'gocache') };
  const build = spawnSync(
    'go',
    ['build', '-o', join(dir, 'prog'), fixture('profiles', 'go-pprof', 'main.go')],
    {
      env,
      encoding: 'utf8',
    },
  );
  assert.equal(build.status, 0, build.stderr);
  const cpu = join(dir, 'cpu.pprof');
  const heap = join(dir, 'heap.pprof');
  const run = spawnSync(join(dir, 'prog'), [cpu, heap], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return (files = { cpu, heap });
}

const self = (p: Profile, name: string) => {
  const i = p.frames.findIndex((f) => f.name === name);
  return i < 0 ? 0 : frameWeights(p).self[i];
};

test(
  'Go CPU pprof: the hot function, asyncPreempt charged to it, total = samples × period',
  { skip },
  async () => {
    const { cpu } = profiles();
    const p = await importProfileFile(cpu);
    assert.equal(p.unit, 'ns');
    assert.match(p.meta.name ?? '', /· cpu$/, 'cpu is the default sample type of a CPU profile');
    const raw = PprofProfile.decode(gunzipSync(readFileSync(cpu)));
    const samples = raw.sample.reduce((n, s) => n + Number(s.value[0]), 0);
    assert.equal(p.totalWeight, samples * Number(raw.period));
    assert.ok(
      self(p, 'main.crunch') / p.totalWeight > 0.8,
      `crunch ${self(p, 'main.crunch')} of ${p.totalWeight}`,
    );
    const preemptFrame = p.frames.findIndex((f) => f.name === 'runtime.asyncPreempt');
    assert.ok(
      preemptFrame < 0 || !p.nodeFrame.includes(preemptFrame),
      'no stack ends in runtime.asyncPreempt',
    );
    const crunch = p.frames.find((f) => f.name === 'main.crunch')!;
    assert.match(crunch.file ?? '', /go-pprof\/main\.go$/);
    // The samples count sample type is there too, by name.
    const counted = await importProfileFile(cpu, { sampleType: 'samples' });
    assert.equal(counted.unit, 'count');
    assert.equal(counted.totalWeight, samples);
  },
);

test(
  'Go heap pprof: inuse_space by default, alloc_space and the object counts on request',
  { skip },
  async () => {
    const { heap } = profiles();
    const inuse = await importProfileFile(heap);
    assert.equal(inuse.unit, 'bytes');
    assert.match(inuse.meta.name ?? '', /· inuse_space$/);
    assert.ok(
      inuse.meta.warnings?.some((w) => /alloc_space/.test(w)),
      'the other sample types are named',
    );
    // 16 × 1 MiB retained (plus the slice of their headers); the last 1 MiB of churn is still live through `sink`.
    const retained = self(inuse, 'main.retain');
    assert.ok(retained >= 16 * MiB && retained < 16 * MiB + 64 * 1024, `retain ${retained}`);
    // Go's heap sampler sometimes charges churn a small allocation of its own too (96 bytes seen under load).
    const live = self(inuse, 'main.churn');
    assert.ok(live >= MiB && live < MiB + 4096, `churn live ${live}`);
    const allocated = await importProfileFile(heap, { sampleType: 'alloc_space' });
    // 64 × 1 MiB of churn, plus the small allocation Go's sampler sometimes charges it too (96 bytes seen in CI).
    const churned = self(allocated, 'main.churn');
    assert.ok(churned >= 64 * MiB && churned < 64 * MiB + 4096, `churn allocated ${churned}`);
    assert.ok(self(allocated, 'main.retain') >= 16 * MiB);
    const objects = await importProfileFile(heap, { sampleType: 'alloc_objects' });
    assert.equal(objects.unit, 'count');
    const churnObjects = self(objects, 'main.churn');
    assert.ok(churnObjects >= 64 && churnObjects <= 66, `churn objects ${churnObjects}`);
    await assert.rejects(importProfileFile(heap, { sampleType: 'cpu' }), (e: unknown) => {
      assert.ok(e instanceof PerfloopError && e.exitCode === 2);
      assert.match(
        e.hint ?? '',
        /alloc_objects \(count\), alloc_space \(bytes\), inuse_objects \(count\), inuse_space \(bytes\)/,
      );
      return true;
    });
  },
);

test('perfloop flame --sample-type alloc_space on a Go heap profile puts the churn first', { skip }, () => {
  const { heap } = profiles();
  const r = spawnSync(process.execPath, [cliPath, 'flame', heap, '--sample-type', 'alloc_space', '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.format, 'pprof');
  assert.equal(out.unit, 'bytes');
  assert.equal(out.top[0].name, 'main.churn');
  const bad = spawnSync(process.execPath, [cliPath, 'flame', heap, '--sample-type', 'nope'], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
});
