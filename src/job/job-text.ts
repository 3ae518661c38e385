import type { JobResult } from './run-job.js';
import { analysisText } from '../profile/render/text-report.js';

/** The perfloop/job@1 JSON of a job result (the CLI's --json and the library's answer). */
export const JOB_SCHEMA = 'perfloop/job@1';

const r3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

export function jobJson(r: JobResult): Record<string, unknown> {
  const j = r.job;
  const rep = j.runs[j.representativeRun];
  return {
    schema: JOB_SCHEMA,
    name: j.name,
    command: j.command,
    runs: j.runs.length,
    duration_s: {
      p50: r3(j.duration_s.p50),
      p95: r3(j.duration_s.p95),
      ci: j.duration_s.ci ? j.duration_s.ci.map(r3) : null,
      mean: r3(j.duration_s.mean),
      ciOf: 'mean',
      ciMethod: `Student's t, ${Math.round(j.ciConfidence * 100)} %`,
    },
    cpu_s: j.cpu_s ? { p50: r3(j.cpu_s.p50), p95: r3(j.cpu_s.p95) } : null,
    offCpu_s: j.offCpu_s ? { p50: r3(j.offCpu_s.p50), p95: r3(j.offCpu_s.p95) } : null,
    peakRssMb: j.peakRssMb,
    exitCodes: j.runs.map((x) => x.exitCode),
    ciWidths: r.ciWidths.map(r3),
    representativeRun: rep
      ? {
          index: j.representativeRun,
          wallS: r3(rep.wallS),
          cpuS: r3(rep.cpuS),
          offCpuS: r3(rep.offCpuS),
          profile: r.record.artifacts.profile ?? null,
          flame: r.record.artifacts.flame ?? null,
          profileOf: r.profileOf,
        }
      : null,
    perRun: j.runs,
    profiler: r.record.measurement.profiler,
    top: r.analysis?.top.map((t) => ({ name: t.name, file: t.file, line: t.line, selfPct: t.selfPct, totalPct: t.totalPct, category: t.category })) ?? [],
    findings: r.record.findings,
    budget: r.budget,
    runId: r.record.run.id,
    runDir: r.runDir,
    warnings: r.record.warnings,
  };
}

const s = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x < 10 ? x.toFixed(3) : x.toFixed(1)} s`);
const mb = (bytes: number | null) => (bytes === null ? '—' : `${(bytes / 2 ** 20).toFixed(1)} MB`);

export function jobText(r: JobResult): string {
  const j = r.job;
  const rep = j.runs[j.representativeRun];
  const lines: string[] = [];
  lines.push(`job ${j.name}: ${j.command.join(' ')} — ${j.runs.length} run(s)`);
  const ci = j.duration_s.ci;
  lines.push(
    `  duration (wall)  p50 ${s(j.duration_s.p50)}  p95 ${s(j.duration_s.p95)}  mean ${s(j.duration_s.mean)}` +
      (ci ? `  ${Math.round(j.ciConfidence * 100)} % CI of the mean [${s(ci[0])}, ${s(ci[1])}] (Student's t)` : '  (CI needs ≥ 2 runs)'),
  );
  if (j.cpu_s) lines.push(`  CPU (user+sys)   p50 ${s(j.cpu_s.p50)}  p95 ${s(j.cpu_s.p95)}  (the whole process tree)`);
  if (j.offCpu_s) {
    const share = j.duration_s.p50 > 0 ? Math.round((100 * j.offCpu_s.p50) / j.duration_s.p50) : 0;
    lines.push(`  off-CPU          p50 ${s(j.offCpu_s.p50)}  = ${share} % of the wall time not on a CPU: sleeping, waiting on I/O, locks, the network — or, on a busy host, for a CPU`);
  }
  lines.push(`  peak RSS         ${j.peakRssMb.toFixed(1)} MB (highest run)`);
  if (rep) lines.push(`  I/O (rep. run)   read ${mb(rep.io.readBytes)} · written ${mb(rep.io.writeBytes)} (storage: ${mb(rep.io.storageReadBytes)} / ${mb(rep.io.storageWriteBytes)})`);
  const codes = new Map<string, number>();
  for (const x of j.runs) codes.set(String(x.exitCode ?? x.signal), (codes.get(String(x.exitCode ?? x.signal)) ?? 0) + 1);
  lines.push(`  exit codes       ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
  if (r.ciWidths.length > 1)
    lines.push(`  CI width by runs ${r.ciWidths.map((w, i) => `${i + 2}: ${s(w)}`).join(' · ')}`);
  if (rep) lines.push(`\nRepresentative run: #${j.representativeRun + 1} (closest to the median) — wall ${s(rep.wallS)}, CPU ${s(rep.cpuS)}, off-CPU ${s(rep.offCpuS)}`);
  if (r.analysis) {
    lines.push('');
    lines.push(analysisText(r.analysis, `job ${j.name} (${r.record.measurement.profiler})`).trimEnd());
  }
  if (r.budget.length > 0) {
    lines.push('', 'Budget:');
    for (const b of r.budget)
      lines.push(`  ${b.pass ? '✓' : '✗'} ${b.metric} ${b.statistic}: ${b.actual === null ? 'not measured' : b.actual.toFixed(3)} ≤ ${b.limit}${b.pass ? '' : '  — crossed'}`);
  }
  for (const w of r.record.warnings) lines.push(`warning: ${w}`);
  if (r.runDir) lines.push(`\nRun ${r.record.run.id} → ${r.runDir}${r.record.artifacts.flame ? ` (flame graph: ${r.record.artifacts.flame})` : ''}`);
  return `${lines.join('\n')}\n`;
}
