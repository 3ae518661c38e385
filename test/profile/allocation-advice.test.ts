/**
 * Heap and allocation profiles get allocation advice (which site allocates or retains the bytes, and what to do
 * about it), not CPU advice ("uses N% of CPU time", "algorithm review"); a CPU profile of the same shape keeps its
 * CPU findings and gets no allocation finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type ProfileUnit } from '../../src/core/profile.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';

function profile(unit: ProfileUnit, name: string) {
  const b = new ProfileBuilder({ format: 'pprof', name }, unit);
  const main = b.frame({ name: 'main.main', file: '/app/main.go', line: 3 });
  const churn = b.frame({ name: 'main.churn', file: '/app/main.go', line: 10 });
  const keep = b.frame({ name: 'main.retain', file: '/app/main.go', line: 20 });
  // Enough samples to clear the evidence floor: 400 of churn, 100 of retain.
  for (let i = 0; i < 500; i++) b.sample(b.stack([main, i % 5 ? churn : keep]), 1 << 16);
  return b.build();
}

test('alloc_space profile: allocation findings and actions, no CPU wording', () => {
  const a = analyseProfile(profile('bytes', 'heap.pprof · alloc_space'));
  assert.deepEqual(
    a.findings.map((f) => f.rule),
    ['memory.allocation-site', 'memory.allocation-site'],
  );
  assert.match(a.findings[0].title, /^main\.churn allocates 80% of the sampled bytes$/);
  assert.ok(a.findings.every((f) => !/CPU/.test(f.title) && /allocate less/i.test(f.recommendation)));
  assert.ok(
    a.top.every((t) => !/Algorithm review/.test(t.action)),
    JSON.stringify(a.top),
  );
});

test('inuse_space profile: retention advice', () => {
  const a = analyseProfile(profile('bytes', 'heap.pprof · inuse_space'));
  assert.match(a.findings[0].title, /holds 80% of the sampled bytes/);
  assert.match(a.findings[0].recommendation, /keeps it alive/);
});

test('alloc_objects (a count) is an allocation profile too; a CPU profile keeps CPU advice', () => {
  const objects = analyseProfile(profile('count', 'heap.pprof · alloc_objects'));
  assert.match(objects.findings[0].title, /allocates 80% of the sampled objects/);
  const cpu = analyseProfile(profile('ns', 'cpu.pprof · cpu'));
  assert.ok(cpu.findings.some((f) => f.rule === 'cpu.hot-function'));
  assert.ok(cpu.findings.every((f) => f.rule !== 'memory.allocation-site'));
});
