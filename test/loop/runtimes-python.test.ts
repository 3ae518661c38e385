import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../helpers.js';
import { missingTool, runRuntimeService } from './runtime-service.js';
import { pySpyAvailable } from '../../src/profile/capture/py-spy-attach.js';

const pyenv = join(homedir(), '.pyenv', 'versions');
const installed = existsSync(pyenv) ? readdirSync(pyenv).map((v) => join(pyenv, v, 'bin', 'python3')) : [];

/** A Python with the perf trampoline (3.12+): python3 on PATH when it is one, else pyenv's. */
function python312(): string | null {
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

/** A Python without the perf trampoline (3.11 or older): python3 on PATH when it is one, else python3.11 or pyenv's. */
function pythonBefore312(): string | null {
  for (const c of ['python3', 'python3.11', 'python3.10', ...installed]) {
    const r = spawnSync(c, ['-c', 'import sys; print(sys.version_info < (3, 12))'], { encoding: 'utf8' });
    if (r.stdout?.trim() === 'True') return c;
  }
  return null;
}

const python311 = pythonBefore312();
const skip311 =
  missingTool('perf') || (pySpyAvailable() ? 'py-spy is installed: auto picks it over the perf fallback' : python311 ? false : 'no Python before 3.12 here');

test('perfloop run on Python 3.11 (no trampoline, no py-spy): interpreter frames are the Python interpreter, never your code, with the hint', { skip: skip311 }, async (t) => {
  const { record } = await runRuntimeService(() => `${python311} service.py`, { cwd: fixture('services', 'python') });
  assert.equal(record.runtime?.name, 'python');
  assert.match(record.runtime?.version ?? '', /^3\.([0-9]|1[01])\./);
  assert.equal(record.runtime?.profiler, 'perf');
  assert.ok(record.warnings.some((w) => /perf sees CPython's C functions.*install py-spy.*Python 3\.12\+/.test(w)), record.warnings.join('\n'));
  const top = record.profile?.top ?? [];
  const categories = record.profile?.categories ?? [];
  t.diagnostic(`categories ${JSON.stringify(categories)}; top ${top.slice(0, 4).map((f) => `${f.name} (${f.category})`).join(', ')}`);
  const interpreter = top.filter((f) => /(^|\/)(libpython3[\d.]*\.so[\d.]*|python3(\.\d+)?)$/.test(f.file ?? ''));
  assert.ok(interpreter.length >= 3, JSON.stringify(top.slice(0, 6)));
  for (const f of interpreter) assert.equal(f.category, 'python interpreter', `${f.name} (${f.file})`);
  // perf's `(inlined)` frames (binary_op, pymalloc_alloc inlined into the eval loop) carry the interpreter's binary.
  assert.ok(!top.some((f) => f.file === 'inlined'), JSON.stringify(top.filter((f) => f.file === 'inlined')));
  assert.ok(!top.some((f) => f.category === 'your code'), JSON.stringify(top.filter((f) => f.category === 'your code')));
  assert.ok(!categories.some((c) => c.name === 'your code'), JSON.stringify(categories));
  assert.ok((categories.find((c) => c.name === 'python interpreter')?.pct ?? 0) >= 50, JSON.stringify(categories));
  const hot = record.findings.filter((f) => f.rule === 'cpu.hot-function');
  assert.ok(hot.length > 0 && hot.every((f) => !/\(your code\)/.test(f.title)), hot.map((f) => f.title).join('\n'));
});
