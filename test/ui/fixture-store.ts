import { join } from 'node:path';
import { ProfileBuilder, type Profile } from '../../src/core/profile.js';
import { Histogram } from '../../src/core/histogram.js';
import { machineFingerprint, newRunId, RUN_SCHEMA, type RunRecord } from '../../src/core/run.js';
import { scenarioFromRequestNames } from '../../src/load/scenario-fingerprint.js';
import { writeRunReports } from '../../src/loop/write-reports.js';
import { exportProfile } from '../../src/profile/export/index.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';
import { createRunFolder } from '../../src/store/artifacts.js';
import { RunStore } from '../../src/store/run-store.js';

export const EVIL = '</script><img src=x onerror="window.__pwned=1">';

/** A small deterministic PRNG: the same store every time. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A CPU profile with a hot function (the name given), so the analyser finds it and flame.html draws it. */
function profileWith(hot: string, hotWeight: number): Profile {
  const b = new ProfileBuilder({ format: 'test' }, 'us');
  const main = b.frame({ name: 'handleRequest', file: '/app/server.js', line: 10 });
  const h = b.frame({ name: hot, file: '/app/</script>hot.js', line: 42 });
  const other = b.frame({ name: 'JSON.stringify', file: '', line: 0 });
  b.sample(b.stack([main, h]), hotWeight);
  b.sample(b.stack([main, other]), 1000);
  b.sample(b.stack([main]), 300);
  return b.build();
}

export interface FixtureRun {
  label: string;
  /** Latencies centre (ms): lower is a faster run. */
  latencyMs: number;
}

/**
 * A store of real run folders (report.json, report.md, report.html, flame.html written by perfloop's own
 * writer) with per-second histograms, resource timelines and analysed findings. `evil` puts the injection
 * string into the label, URL, endpoint, function names, SQL and the scenario.
 */
export function fixtureStore(dir: string, runs: readonly FixtureRun[], evil = false): { storePath: string; ids: string[] } {
  const storePath = join(dir, 'perfloop.db');
  const store = RunStore.open(storePath);
  const ids: string[] = [];
  const random = rng(42);
  const tag = evil ? EVIL : '';
  const requestNames = [`GET /api/orders${tag}`, 'GET /api/customers'];
  const scenario = scenarioFromRequestNames(requestNames);
  try {
    runs.forEach((spec, n) => {
      const startedAt = new Date(Date.UTC(2026, 0, 1, 10, n * 5)).toISOString();
      const all = new Histogram();
      const intervals = [];
      for (let t = 0; t < 12; t++) {
        const h = new Histogram();
        for (let i = 0; i < 40; i++) {
          const ms = spec.latencyMs * (0.5 + random());
          h.recordMs(ms);
          all.recordMs(ms);
        }
        intervals.push({ t, count: 40, errors: t === 3 ? 1 : 0, histogram: h.encode() });
      }
      const hot = evil ? `render${EVIL}` : 'serializeOrders';
      const profile = profileWith(hot, spec.latencyMs * 20);
      const a = analyseProfile(profile);
      const sql = `SELECT * FROM orders WHERE note = '${tag}' AND customer_id = $1`;
      const record: RunRecord = {
        schema: RUN_SCHEMA,
        run: {
          id: newRunId(new Date(startedAt)),
          label: `${spec.label}${tag}`,
          startedAt,
          durationS: 12,
          target: `node server.js --url http://127.0.0.1:3000/x?q=${tag}`,
          gitSha: `abc${n}def0123456789`,
          gitBranch: 'main',
          scenario,
          machine: machineFingerprint(),
        },
        metrics: {
          http_req_duration: { p50: all.percentile(50) / 1000, p90: all.percentile(90) / 1000, p95: all.percentile(95) / 1000, p99: all.percentile(99) / 1000, max: all.maxUs / 1000, mean: all.meanUs / 1000, count: all.count },
          http_reqs: { count: all.count, rate: all.count / 12 },
          http_req_failed: { rate: 1 / all.count, count: 1, noResponse: 0 },
          cpu: { meanPct: 40 + spec.latencyMs / 10, maxPct: 90 },
          memory: { rssStartMb: 80, rssEndMb: 90, rssMaxMb: 95, heapUsedSlopeMbPerMin: 1 },
          event_loop_delay: { p50: 1, p99: 5, max: 9 },
        },
        endpoints: requestNames.map((name) => ({ name, p50: 1, p90: 2, p95: 3, p99: 4, max: 5, mean: 1, count: 240, errors: 0 })),
        findings: [
          ...a.findings,
          {
            rule: 'db.n-plus-one',
            area: 'db',
            severity: 'high',
            title: `N+1: ${sql} runs 40× per request`,
            evidence: { query: sql, meanRepeats: 40 },
            recommendation: `Batch the lookups: ${sql.replace('= $1', '= ANY($1)')}`,
            estimatedImpact: { pct: 30, basis: 'round trips' },
          },
        ],
        artifacts: {},
        histograms: { http_req_duration: all.encode() },
        intervals,
        profile: { top: a.top, categories: a.categories },
        budget: { p95_latency_ms: 150 },
        measurement: { command: `perfloop run --url 'http://127.0.0.1:3000/x?q=${tag}'`, load: 'constant-vus: 4 VUs for 12 s', vus: 4, durationS: 12, warmupS: 1, profiler: 'V8 sampling profiler' },
        queries: [{ fingerprint: 'f1', query: sql, calls: 480, totalMs: 900, meanMs: 1.9, p95Ms: 4, rows: 480 }],
        database: { markdown: `### Database Performance Analysis\n\n**Query**:\n\n\`\`\`sql\n${sql}\n\`\`\`\n\n| Query | Calls |\n| --- | --- |\n| \`${sql}\` | 480 |\n` },
        timeline: Array.from({ length: 12 }, (_, t) => ({ t, rssMb: 80 + t, heapUsedMb: 20 + t / 2, liveHeapMb: null, cpuPct: 40 + (t % 3) * 5, eventLoopP99Ms: 3 + (t % 2) })),
        warnings: [],
      };
      const out = createRunFolder(dir, record.run.id);
      exportProfile(profile, 'cpuprofile', join(out, 'profile.cpuprofile'));
      record.artifacts.profile = 'profile.cpuprofile';
      writeRunReports(out, record, profile);
      store.save(record, out);
      ids.push(record.run.id);
    });
  } finally {
    store.close();
  }
  return { storePath, ids };
}
