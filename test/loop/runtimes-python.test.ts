import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../helpers.js';
import { missingTool, runRuntimeService } from './runtime-service.js';
import { pySpyAvailable } from '../../src/profile/capture/py-spy-attach.js';

/** A Python with the perf trampoline (3.12+): python3 on PATH when it is one, else pyenv's. */
function python312(): string | null {
  const pyenv = join(homedir(), '.pyenv', 'versions');
  const installed = existsSync(pyenv) ? readdirSync(pyenv).map((v) => join(pyenv, v, 'bin', 'python3')) : [];
  // 3.12 first: its trampoline's perf maps are what this test is about (3.13 adds its own perf JIT mode).
  const candidates = ['python3.12', ...installed.filter((c) => c.includes('/3.12.')), 'python3', 'python3.13', ...installed];
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import sys; print(sys.version_info >= (3, 12))'], { encoding: 'utf8' });
    if (r.stdout?.trim() === 'True') return c;
  }
  return null;
}

const python = python312();
const skip = missingTool('perf') || (python ? false : process.env.CI ? false : 'no Python 3.12+ (for the perf trampoline)');

test('perfloop run on a Python 3.12 service: perf with the trampoline, burn_hot named at its own share, RSS growth', { skip }, async (t) => {
  assert.ok(python, 'CI must have a Python 3.12+ (.ci/run installs one)');
  const { record, counterPct, topHot } = await runRuntimeService(() => `${python} service.py`, { cwd: fixture('services', 'python'), durationS: 12 });
  assert.equal(record.runtime?.name, 'python');
  assert.match(record.runtime?.version ?? '', /^3\.1[2-9]/);
  // py-spy, when installed, is the better choice and auto picks it; otherwise perf with Python's perf maps.
  assert.equal(record.runtime?.profiler, pySpyAvailable() ? 'py-spy' : 'perf');
  assert.equal(topHot?.evidence.function, 'burn_hot', JSON.stringify(record.profile?.top.slice(0, 4)));
  assert.match(String(topHot?.evidence.file), /service\.py$/);
  const pct = topHot!.evidence.selfPct as number;
  t.diagnostic(`burn_hot: profile ${pct} %, service counter ${counterPct.toFixed(1)} %, samples/CPU ${record.runtime?.samplesVsCpu?.ratio}`);
  assert.ok(Math.abs(pct - counterPct) <= 10, `profile ${pct} % vs the service's own ${counterPct.toFixed(1)} %`);
  const growth = record.findings.find((f) => f.rule === 'memory.growth');
  assert.ok(growth && growth.evidence.series === 'RSS', record.findings.map((f) => f.title).join('\n'));
  assert.ok(!record.warnings.some((w) => /agent|V8/.test(w)), record.warnings.join('\n'));
});
