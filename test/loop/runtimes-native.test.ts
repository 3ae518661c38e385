import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, tempDir } from '../helpers.js';
import { missingTool, runRuntimeService } from './runtime-service.js';

const skip = missingTool('rustc', 'perf');

test('perfloop run on a native (Rust) service: perf with frame pointers, demangled burn_hot named at its own share, RSS growth', { skip }, async (t) => {
  const dir = fixture('services', 'rust');
  const bin = join(tempDir('perfloop-rustsvc-'), 'rustsvc');
  // Frame pointers: what perf's default unwinding (-g) follows, and what the report tells native users to build with.
  const built = spawnSync('rustc', ['--edition', '2021', '-O', '-g', '-C', 'force-frame-pointers=yes', 'service.rs', '-o', bin], { cwd: dir, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const { record, counterPct, topHot } = await runRuntimeService(() => bin, { cwd: dir, durationS: 12 });
  assert.equal(record.runtime?.name, 'native');
  assert.equal(record.runtime?.profiler, 'perf');
  assert.match(record.measurement.profiler ?? '', /frame pointers/);
  assert.match(String(topHot?.evidence.function), /^service::burn_hot$/, JSON.stringify(record.profile?.top.slice(0, 4)));
  const pct = topHot!.evidence.selfPct as number;
  t.diagnostic(`burn_hot: profile ${pct} %, service counter ${counterPct.toFixed(1)} %, samples/CPU ${record.runtime?.samplesVsCpu?.ratio}`);
  assert.ok(Math.abs(pct - counterPct) <= 10, `profile ${pct} % vs the service's own ${counterPct.toFixed(1)} %`);
  const growth = record.findings.find((f) => f.rule === 'memory.growth');
  assert.ok(growth && growth.evidence.series === 'RSS', record.findings.map((f) => f.title).join('\n'));
});
