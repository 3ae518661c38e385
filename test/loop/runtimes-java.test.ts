import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../helpers.js';
import { missingTool, runRuntimeService } from './runtime-service.js';

const skip = missingTool('java', 'jcmd', 'jfr');

test('perfloop run on a Java service: JFR via jcmd chosen, burnHot named at its share of Java-thread CPU, growth by class', { skip }, async (t) => {
  const dir = fixture('services', 'java');
  const { record, counterPct, topHot } = await runRuntimeService(() => 'java -Xmx256m Service.java', { cwd: dir, warmupS: 2 });
  assert.equal(record.runtime?.name, 'java');
  assert.match(record.runtime?.version ?? '', /^\d+/);
  assert.equal(record.runtime?.profiler, 'jfr');
  assert.equal(record.artifacts.profile, 'recording.jfr');
  assert.equal(topHot?.evidence.function, 'Service.burnHot', JSON.stringify(record.profile?.top.slice(0, 3)));
  const pct = topHot!.evidence.selfPct as number;
  t.diagnostic(`burnHot: profile ${pct} %, service counter ${counterPct.toFixed(1)} % of its handlers' CPU, samples/CPU ${record.runtime?.samplesVsCpu?.ratio}`);
  assert.ok(Math.abs(pct - counterPct) <= 10, `profile ${pct} % vs the service's own ${counterPct.toFixed(1)} %`);
  // JFR sees Java threads only, and the report says so with the JIT/GC threads' CPU beside it.
  assert.ok(record.warnings.some((w) => /Java threads only.*JIT compiler threads used \d+ ms/.test(w)), record.warnings.join('\n'));
  const growth = record.findings.find((f) => f.rule === 'memory.growth' && f.evidence.by === 'class');
  assert.ok(growth, record.findings.map((f) => f.title).join('\n'));
  assert.equal((growth.evidence.top as { name: string }[])[0].name, 'Service$LeakedSession');
  assert.ok(!record.warnings.some((w) => /agent|V8/.test(w)), record.warnings.join('\n'));
});
