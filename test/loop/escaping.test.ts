import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileBuilder } from '../../src/core/profile.js';
import { Histogram } from '../../src/core/histogram.js';
import { machineFingerprint, RUN_SCHEMA, type RunRecord } from '../../src/core/run.js';
import { writeRunReports } from '../../src/loop/write-reports.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';
import { tempDir } from '../helpers.js';

const EVIL = '<img src=x onerror=alert(1)>';

test('names from a profile, a query or a URL reach every report as text, never as markup', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'us');
  const f = b.frame({ name: EVIL, file: '/app/</script><script>alert(2)</script>.js', line: 1 });
  b.sample(b.stack([f]), 1000);
  const profile = b.build();
  const a = analyseProfile(profile);
  const h = new Histogram();
  h.recordMs(10);
  const record: RunRecord = {
    schema: RUN_SCHEMA,
    run: { id: 'r1', label: EVIL, startedAt: new Date().toISOString(), durationS: 1, target: `node ${EVIL}`, gitSha: null, gitBranch: null, scenario: { id: 'x', description: EVIL, name: EVIL }, machine: machineFingerprint() },
    metrics: {
      http_req_duration: { p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1, count: 1 },
      http_reqs: { count: 1, rate: 1 },
      http_req_failed: { rate: 0, count: 0, noResponse: 0 },
      cpu: null,
      memory: null,
      event_loop_delay: null,
    },
    endpoints: [
      { name: `GET /x?q=${EVIL}`, p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1, count: 1, errors: 0 },
      { name: 'b', p50: 1, p90: 1, p95: 1, p99: 1, max: 1, mean: 1, count: 1, errors: 0 },
    ],
    findings: a.findings,
    artifacts: {},
    histograms: { http_req_duration: h.encode() },
    intervals: [{ t: 0, count: 1, errors: 0, histogram: h.encode() }],
    profile: { top: a.top.map((t) => ({ ...t, action: t.action })), categories: a.categories },
    budget: null,
    measurement: { command: `perfloop run --url '${EVIL}'`, load: EVIL, vus: 1, durationS: 1, warmupS: 0, profiler: null },
    queries: [{ fingerprint: `SELECT '${EVIL}'`, query: `SELECT '${EVIL}'`, calls: 1, totalMs: 1, meanMs: 1, p95Ms: 1, rows: 1 }],
    timeline: [],
    warnings: [EVIL],
  };
  const dir = tempDir();
  writeRunReports(dir, record, profile);
  // Markdown: code spans and fenced blocks render as text, so only what is outside them could become markup.
  const outsideCode = (md: string) => md.replace(/```[\s\S]*?```/g, '').replace(/(`+)[^`]*?\1/g, '');
  for (const file of ['report.md', 'report.html', 'flame.html']) {
    const raw = readFileSync(join(dir, file), 'utf8');
    const text = file.endsWith('.md') ? outsideCode(raw) : raw;
    assert.ok(!text.includes('<img'), `${file} contains raw <img`);
    assert.ok(!text.includes('<script>alert'), `${file} contains a raw script`);
  }
  // and the name is still there, as text
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /&#60;img src=x onerror=alert\(1\)&#62;/);
  assert.match(readFileSync(join(dir, 'flame.html'), 'utf8'), /\\u003cimg src=x onerror=alert\(1\)\\u003e/);
});
