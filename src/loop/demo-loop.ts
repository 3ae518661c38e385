import { demoSummaryHtml } from '../report/html/summary-page.js';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoEndpoints, demoFixes, demoServerEntry, type DemoFix } from '../../demo/catalog.js';
import { readDemoConfig } from '../../demo/config.js';
import { openDemoDatabase } from '../../demo/db.js';
import { parseFixes } from '../../demo/fixes.js';
import { pgliteRunner } from '../db/runner.js';
import type { LoadProgress } from '../load/engine.js';
import { runService, type RunServiceResult } from './run-service.js';
import { pointLink } from '../store/artifacts.js';
import { demoSummaryMarkdown } from './demo-summary.js';
import type { Iteration } from '../report/iteration-log.js';
import { freePort } from '../target/free-port.js';

/** Repository root: this file runs from dist/src/loop/. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface DemoOptions {
  outDir: string;
  storePath: string | null;
  vus: number;
  durationS: number;
  warmupS: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (p: LoadProgress) => void;
}

export interface DemoResult {
  iterations: (Iteration & { result: RunServiceResult; dir: string; component?: string; endpoint?: string; evidence?: 'memory' })[];
  summaryPath: string;
}


/**
 * Runs that collect heap evidence (snapshots, GC probes): the baseline (what leaks), the run a memory fix is
 * judged on and the run before it (a fix is compared on the measure it targets, with evidence on both sides),
 * and the final run (no leak left).
 */
function memoryRun(steps: readonly { evidence?: string }[], i: number): boolean {
  return i === 0 || i === steps.length - 1 || steps[i].evidence === 'memory' || steps[i + 1]?.evidence === 'memory';
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * The whole loop on the bundled demo service: a baseline with every planted problem, then one run per fix
 * (each adding one more fix), each stored with its label; then the iteration log and before/after summary.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? (() => {});
  const iterations: DemoResult['iterations'] = [];
  const steps: (Omit<DemoFix, 'id'> & { id: string })[] = [{ id: '', label: 'baseline', bottleneck: 'every planted problem on', change: '–', component: '' }, ...demoFixes];
  for (let i = 0; i < steps.length && !o.signal?.aborted; i++) {
    const step = steps[i];
    const fixes = demoFixes.slice(0, i).map((f) => f.id);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const memory = memoryRun(steps, i);
    const iterationName = `${String(i).padStart(2, '0')}-${slug(step.label)}`;
    log(`[${i}/${steps.length - 1}] ${step.label}${i > 0 ? ` (fix: ${step.change})` : ''}`);
    const result = await runService({
      target: `node ${JSON.stringify(join(packageRoot, demoServerEntry))}`,
      cwd: packageRoot,
      env: { PORT: String(port), PERFLOOP_DEMO_FIXES: fixes.join(',') },
      ready: `${base}/health`,
      readyTimeoutMs: 120_000,
      requests: demoEndpoints.map((e) => ({ name: e.name, method: e.method, url: base + e.path, weight: e.weight })),
      vus: o.vus,
      durationS: o.durationS,
      warmupS: o.warmupS,
      label: step.label,
      outDir: o.outDir,
      storePath: o.storePath,
      profile: true,
      samplingIntervalUs: 1000,
      // Memory evidence where it matters (memoryRun).
      // Snapshots name what grows; the live heap after forced GCs shows the trend above GC noise. Both run in
      // the memory phase after the measured window, so no measured second includes their pauses.
      gcProbeS: memory ? 1.5 : 0,
      heapSnapshots: memory ? 3 : 0,
      // The demo's database is embedded: plans and index advice run on the same seeded data with the same
      // fixes, opened in this process (a user's service would pass --db URL).
      db: {
        runner: async () => {
          const { db } = await openDemoDatabase(readDemoConfig(process.env).dataDir, parseFixes(fixes.join(',')));
          return { ...pgliteRunner(db), close: () => db.close() };
        },
      },
      command: `perfloop run --target 'node ${demoServerEntry}' ${demoEndpoints.map((e) => `--url '${base}${e.path}'`).join(' ')} -c ${o.vus} -d ${o.durationS}s${memory ? ' --gc-probe 1.5s --heap-snapshots 3' : ''} --label '${step.label}'  # PERFLOOP_DEMO_FIXES=${fixes.join(',')}`,
      signal: o.signal,
      log: (l) => log(`  ${l}`),
      onProgress: o.onProgress,
    });
    // The run folder is <out>/<run-id>; <out>/00-baseline … name the iterations (links, replaced by a new demo).
    pointLink(o.outDir, result.record.run.id, iterationName);
    const dir = join(o.outDir, iterationName);
    const d = result.record.metrics.http_req_duration;
    log(`  p50 ${d.p50} ms · p95 ${d.p95} ms · ${result.record.metrics.http_reqs.rate} req/s · ${result.record.findings.length} findings`);
    iterations.push({ record: result.record, bottleneck: step.bottleneck, change: step.change, component: step.component || undefined, endpoint: step.endpoint, evidence: step.evidence, result, dir });
  }
  const summaryPath = join(o.outDir, 'summary.md');
  const summary = demoSummaryMarkdown(iterations);
  writeFileSync(summaryPath, summary);
  writeFileSync(join(o.outDir, 'summary.html'), demoSummaryHtml(iterations.map((it) => it.record), summary));
  return { iterations, summaryPath };
}
