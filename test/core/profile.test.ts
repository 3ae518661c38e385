import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from '../../src/core/profile.js';
import { PerfloopError } from '../../src/core/errors.js';
import { rankFindings, severityForPct, type Finding } from '../../src/core/finding.js';

test('builder dedupes frames and shares stack prefixes', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'samples');
  const main = b.frame({ name: 'main', file: 'a.js', line: 1 });
  const f = b.frame({ name: 'f', file: 'a.js', line: 5 });
  const g = b.frame({ name: 'g', file: 'a.js', line: 9 });
  assert.equal(b.frame({ name: 'main', file: 'a.js', line: 1 }), main);
  const leaf1 = b.stack([main, f]);
  const leaf2 = b.stack([main, f, g]);
  const leaf3 = b.stack([main, g]);
  b.sample(leaf1, 2);
  b.sample(leaf2, 3);
  b.sample(leaf3, 5);
  const p = b.build();
  assert.equal(p.frames.length, 3);
  assert.equal(p.nodeCount, 4); // main, main>f, main>f>g, main>g
  assert.equal(p.totalWeight, 10);
  assert.deepEqual(p.stackOf(leaf2).map((i) => p.frames[i].name), ['main', 'f', 'g']);
  assert.equal(p.frameOf(leaf3).name, 'g');
});

test('10,000-deep stacks build and walk without recursion', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'samples');
  const frames = Array.from({ length: 10_000 }, (_, i) => b.frame({ name: `f${i}` }));
  const leaf = b.stack(frames);
  b.sample(leaf, 1);
  const p = b.build();
  assert.equal(p.stackOf(leaf).length, 10_000);
});

test('PerfloopError prints one line with code and hint', () => {
  const e = new PerfloopError('BAD_FILE', 'x.json: unexpected end\nat byte 12', { hint: 'is it truncated?' });
  assert.equal(e.exitCode, 2);
  assert.equal(e.toLine(), 'perfloop: BAD_FILE: x.json: unexpected end | at byte 12 (hint: is it truncated?)');
});

test('findings rank by estimated impact, then severity', () => {
  const f = (rule: string, pct: number): Finding => ({
    rule,
    area: 'cpu',
    severity: severityForPct(pct),
    title: rule,
    evidence: {},
    recommendation: '',
    estimatedImpact: { pct, basis: 'test' },
  });
  assert.deepEqual(rankFindings([f('a', 5), f('b', 50), f('c', 20)]).map((x) => x.rule), ['b', 'c', 'a']);
  assert.equal(severityForPct(45), 'critical');
  assert.equal(severityForPct(1), 'info');
});
