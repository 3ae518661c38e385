import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers.js';
import { missingTool } from './runtime-service.js';
import { RuntimeProfiling } from '../../src/loop/runtime-profiling.js';

const skip = missingTool('perf', 'yes');

/** Profiles a CPU-bound native process (`yes > /dev/null`) with perf for a 2 s window, as `perfloop run` does. */
async function profileBusyProcess(perf: { hz?: number; callGraph?: 'fp' | 'dwarf'; mmapPages?: number }) {
  const busy = spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    const rp = await RuntimeProfiling.prepare(busy.pid!, { profiler: 'auto', runDir: tempDir(), windowS: 2, ...perf });
    assert.equal(rp.runtime.name, 'native');
    assert.equal(rp.profiler, 'perf');
    await rp.start();
    await sleep(2000); // the measured window
    const result = await rp.stop();
    return { check: rp.samplesVsCpu!, warnings: rp.warnings, profile: result?.profile ?? null };
  } finally {
    busy.kill('SIGKILL');
  }
}

test('samples-vs-CPU: perf made to undersample (DWARF stacks at 20 kHz into a 1-page buffer) warns with the reason', { skip }, async () => {
  const { check, warnings } = await profileBusyProcess({ hz: 20_000, callGraph: 'dwarf', mmapPages: 1 });
  assert.ok(check.procCpuMs > 100, `the busy process used ${check.procCpuMs} ms`);
  assert.ok(check.ratio < 0.7, `ratio ${check.ratio}`);
  assert.match(check.warning ?? '', /undersamples: \d+ samples at 20000 Hz stand for \d+ ms of CPU, but the service used \d+ ms .*Likely: perf lost samples/);
  assert.ok(warnings.some((w) => /perf lost|undersamples/.test(w)), warnings.join('\n'));
});

test('samples-vs-CPU: perf at its default rate on the same process stays quiet', { skip }, async () => {
  const { check, profile } = await profileBusyProcess({});
  assert.ok(profile && profile.sampleCount > 100, `samples ${profile?.sampleCount}`);
  assert.ok(check.ratio >= 0.7 && check.ratio <= 1.3, `ratio ${check.ratio}`);
  assert.equal(check.warning, null);
});
