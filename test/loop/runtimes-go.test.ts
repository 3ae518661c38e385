import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, tempDir } from '../helpers.js';
import { missingTool, runRuntimeService } from './runtime-service.js';

const skip = missingTool('go');

test('perfloop run on a Go service: runtime detected, pprof chosen, burnHot named at its own share, growth by allocating function', { skip }, async (t) => {
  const dir = fixture('services', 'go');
  const bin = join(tempDir('perfloop-gosvc-'), 'gosvc');
  const built = spawnSync('go', ['build', '-o', bin, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  assert.equal(built.status, 0, built.stderr);
  const { record, counterPct, topHot } = await runRuntimeService(() => bin, { cwd: dir });
  assert.equal(record.runtime?.name, 'go');
  assert.match(record.runtime?.version ?? '', /^go1\.\d+/);
  assert.equal(record.runtime?.profiler, 'pprof');
  assert.equal(record.runtime?.samplingHz, 100);
  assert.ok(record.runtime?.samplesVsCpu && record.runtime.samplesVsCpu.procCpuMs > 0);
  assert.equal(record.artifacts.profile, 'cpu.pprof');
  assert.equal(topHot?.evidence.function, 'main.burnHot', JSON.stringify(record.profile?.top.slice(0, 3)));
  const pct = topHot!.evidence.selfPct as number;
  t.diagnostic(`burnHot: profile ${pct} %, service counter ${counterPct.toFixed(1)} %, samples/CPU ${record.runtime?.samplesVsCpu?.ratio}`);
  assert.ok(Math.abs(pct - counterPct) <= 10, `profile ${pct} % vs the service's own ${counterPct.toFixed(1)} %`);
  const growth = record.findings.find((f) => f.rule === 'memory.growth' && f.evidence.by === 'allocating function');
  assert.ok(growth, record.findings.map((f) => f.title).join('\n'));
  assert.equal((growth.evidence.top as { name: string }[])[0].name, 'main.retainSession');
  assert.ok(!record.warnings.some((w) => /agent|V8/.test(w)), record.warnings.join('\n'));
});
