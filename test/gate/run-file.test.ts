import { scenarioOf } from '../../src/load/scenario-fingerprint.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfloopError } from '../../src/core/errors.js';
import { parseRunDocument, readRunFile, UNKNOWN_MACHINE } from '../../src/gate/run-file.js';
import { compareRuns } from '../../src/gate/compare/compare-runs.js';
import { likeWithLikeWarnings } from '../../src/gate/compare/like-with-like.js';
import { tempDir } from '../helpers.js';
import { recordFromLatencies, steadyLatencies } from './records.js';

function loadDoc(record: ReturnType<typeof recordFromLatencies>) {
  const m = record.metrics;
  return {
    schema: 'perfloop/load@1',
    startedAt: record.run.startedAt,
    durationS: record.run.durationS,
    interrupted: false,
    metrics: {
      http_req_duration: m.http_req_duration,
      http_reqs: m.http_reqs,
      http_req_failed: { rate: m.http_req_failed.rate, count: m.http_req_failed.count },
      vus_max: { value: 4 },
    },
    endpoints: record.endpoints,
    histograms: record.histograms,
    intervals: record.intervals,
  };
}

test('a perfloop/load@1 result becomes a comparable run; a perfloop/run@1 report round-trips', () => {
  const r = recordFromLatencies(steadyLatencies(10, 20));
  const dir = tempDir();
  writeFileSync(join(dir, 'load.json'), JSON.stringify(loadDoc(r)));
  writeFileSync(join(dir, 'report.json'), JSON.stringify(r));
  const fromLoad = readRunFile(join(dir, 'load.json'));
  assert.equal(fromLoad.run.machine, UNKNOWN_MACHINE);
  assert.equal(fromLoad.metrics.cpu, null);
  assert.equal(fromLoad.intervals.length, 10);
  assert.equal(fromLoad.measurement.vus, 4);
  assert.deepEqual(readRunFile(join(dir, 'report.json')), r);
  const rows = compareRuns(readRunFile(join(dir, 'report.json')), fromLoad);
  assert.equal(rows.find((x) => x.name === 'p50_latency_ms')!.verdict, 'same');
  assert.equal(rows.find((x) => x.name === 'memory_mb')!.before, null);
  assert.match(likeWithLikeWarnings([r], [fromLoad]).join(' '), /Machine fingerprint unknown/);
});

test('a file that is not a run names the field; unreadable and non-JSON files are bad input', () => {
  const r = recordFromLatencies(steadyLatencies(3, 20));
  const broken = { ...loadDoc(r), intervals: [{ t: 0, count: 'many', errors: 0, histogram: 'x' }] };
  assert.throws(
    () => parseRunDocument(broken, 'load.json'),
    (e: PerfloopError) =>
      e.code === 'RUN_FILE_INVALID' && e.exitCode === 2 && e.message.includes('intervals.0.count'),
  );
  assert.throws(
    () => parseRunDocument({ schema: 'perfloop/run@1', run: {} }, 'r.json'),
    (e: PerfloopError) => e.message.includes('run.id') && e.message.includes('metrics'),
  );
  assert.throws(
    () => parseRunDocument({ hello: 1 }, 'x.json'),
    (e: PerfloopError) => e.message.includes('schema'),
  );
  const dir = tempDir();
  writeFileSync(join(dir, 'x.json'), 'nope');
  assert.throws(
    () => readRunFile(join(dir, 'x.json')),
    (e: PerfloopError) => e.code === 'RUN_FILE_INVALID',
  );
  assert.throws(
    () => readRunFile(join(dir, 'missing.json')),
    (e: PerfloopError) => e.code === 'RUN_FILE_UNREADABLE',
  );
});

test('like with like: machine and load differences are warned about; a changed target is the iteration, not a warning', () => {
  const a = recordFromLatencies(steadyLatencies(3, 20));
  const b = recordFromLatencies(steadyLatencies(3, 20), {
    machine: { ...a.run.machine, cpuModel: 'Other CPU', nodeVersion: 'v99.0.0' },
    target: 'other',
    scenario: scenarioOf([{ url: 'http://127.0.0.1:9/other' }], { executor: 'constant-vus', vus: 5, durationS: 3 }),
  });
  const w = likeWithLikeWarnings([a], [b]).join('\n');
  assert.match(w, /different machines/);
  assert.match(w, /CPU .* → Other CPU/);
  assert.match(w, /Node .* → v99\.0\.0/);
  assert.match(w, /DIFFERENT SCENARIOS/);
  assert.doesNotMatch(w, /target/i);
  assert.deepEqual(likeWithLikeWarnings([a], [a]), []);
  const c = recordFromLatencies(steadyLatencies(3, 20), { target: 'node server.js --quiet' });
  assert.deepEqual(likeWithLikeWarnings([a], [c]), [], 'only the target differs: like with like');
});
