import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compareRuns, comparisonDocument } from '../../src/gate/compare/compare-runs.js';
import { scenarioOf } from '../../src/load/scenario-fingerprint.js';
import { RunStore } from '../../src/store/run-store.js';
import { cliPath, tempDir } from '../helpers.js';
import { recordFromLatencies, steadyLatencies } from './records.js';

const other = scenarioOf([{ url: 'http://127.0.0.1:1/api/other' }], { executor: 'constant-vus', vus: 50, durationS: 10 });

test('gate: a baseline of another scenario is refused (exit 2) unless --allow-scenario-change', async () => {
  const dir = tempDir('perfloop-scenario-gate-');
  const store = RunStore.open(join(dir, '.perfloop', 'perfloop.db'));
  const a = recordFromLatencies(steadyLatencies(10, 20), { label: 'baseline', startedAt: '2026-01-01T10:00:00.000Z' });
  const b = recordFromLatencies(steadyLatencies(10, 20, 100, 2), { label: 'other load', startedAt: '2026-01-01T10:01:00.000Z', scenario: other });
  await store.save(a);
  await store.save(b);
  await store.close();
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [cliPath, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
  const refused = cli('gate', '--baseline', a.run.id, '--candidate', b.run.id);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /GATE_SCENARIO_CHANGED: .*different load.*request GET \/item only in the first run.*vus/);
  const allowed = cli('gate', '--baseline', a.run.id, '--candidate', b.run.id, '--allow-scenario-change', '--json');
  assert.ok(allowed.status === 0 || allowed.status === 99, allowed.stderr);
  const doc = JSON.parse(allowed.stdout);
  assert.equal(doc.scenario.same, false);
  assert.match(allowed.stderr, /DIFFERENT SCENARIOS/);
  const compared = cli('compare', a.run.id, b.run.id, '--json');
  assert.equal(JSON.parse(compared.stdout).scenario.same, false);
});

test('contention: a regression on the side whose host was busier becomes unknown, with the reason', async () => {
  const quiet = recordFromLatencies(steadyLatencies(20, 20, 100, 1));
  const slower = recordFromLatencies(steadyLatencies(20, 30, 100, 2));
  const host = (otherCpuPct: number) => ({ otherCpuPct, stealPct: 0, loadAvg1: 1, generatorCpuPct: 20, intervals: [] });
  const plain = compareRuns(quiet, slower).find((r) => r.name === 'p50_latency_ms')!;
  assert.equal(plain.verdict, 'regressed', 'without host data: a real regression');
  quiet.host = host(5);
  slower.host = host(90);
  const busy = compareRuns(quiet, slower).find((r) => r.name === 'p50_latency_ms')!;
  assert.equal(busy.verdict, 'unknown');
  assert.match(busy.note, /other processes on the host used 5 % → 90 % of a core/);
  const doc = comparisonDocument({ runs: [quiet], source: 'a' }, { runs: [slower], source: 'b' });
  assert.ok(doc.warnings.some((w) => /host was busier during the after runs/.test(w)));
  // Better despite busier neighbours stands.
  slower.host = host(5);
  quiet.host = host(90);
  assert.equal(compareRuns(slower, quiet).find((r) => r.name === 'p50_latency_ms')!.verdict, 'improved');
});

test('contention: a host with less than half a core free makes every verdict unknown, even on equal sides', () => {
  const a = recordFromLatencies(steadyLatencies(20, 20, 100, 1));
  const b = recordFromLatencies(steadyLatencies(20, 30, 100, 2));
  const host = (otherCpuPct: number) => ({ otherCpuPct, stealPct: 0, loadAvg1: 19, generatorCpuPct: 10, intervals: [] });
  a.run = { ...a.run, machine: { ...a.run.machine, cores: 2 } };
  b.run = { ...b.run, machine: { ...b.run.machine, cores: 2 } };
  a.host = host(160);
  b.host = host(160);
  const rows = compareRuns(a, b);
  const p50 = rows.find((r) => r.name === 'p50_latency_ms')!;
  assert.equal(p50.verdict, 'unknown');
  assert.match(p50.note, /^regressed by the statistics, but the host was saturated .*160 % of a core on 2 cores/);
  assert.ok(rows.every((r) => r.verdict !== 'improved' && r.verdict !== 'regressed'));
  const doc = comparisonDocument({ runs: [a], source: 'a' }, { runs: [b], source: 'b' });
  assert.ok(doc.warnings.some((w) => /^Every verdict is unknown: the host was saturated/.test(w)), doc.warnings.join('\n'));
  // One and a half cores free on 2: judged as usual.
  a.host = host(40);
  b.host = host(40);
  assert.equal(compareRuns(a, b).find((r) => r.name === 'p50_latency_ms')!.verdict, 'regressed');
});
