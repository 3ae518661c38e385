import type { RunRecord } from '../core/run.js';
import { fmtMs, mdCode, mdEscape, mdTable } from './markdown.js';
import { DEFAULT_JOB_DURATION_TARGET_S } from './job-targets.js';

const s = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : fmtMs(x * 1000));

/**
 * The top of a job run's report (`perfloop show`, report.md): the method's baseline table for a background job
 * (duration against its budget, else the method's "Background job < 30 s"), how it was measured, and its runs.
 * The flame graph analysis, priorities and findings that follow are a service run's own sections.
 */
export function jobAssessmentMarkdown(r: RunRecord): string[] {
  const j = r.job!;
  const target = r.budget?.duration_s ?? r.budget?.job_duration_s ?? DEFAULT_JOB_DURATION_TARGET_S;
  const out: string[] = [];
  out.push(`### Job Assessment: ${mdEscape(j.name)}${r.run.label ? ` · ${mdEscape(r.run.label)}` : ''}`, '');
  out.push(`Run \`${r.run.id}\` · ${r.run.startedAt} · command ${mdCode(r.run.target)}${r.run.gitSha ? ` · commit \`${r.run.gitSha.slice(0, 10)}\`` : ''}`, '');
  out.push('**Current Performance Baseline**:', '');
  const ci = j.duration_s.ci;
  const gap = j.duration_s.p95 > target ? s(j.duration_s.p95 - target) : '–';
  out.push(
    mdTable(
      ['Metric', 'Current', 'Target', 'Gap'],
      [
        ['Job duration (p95 of the runs)', s(j.duration_s.p95), s(target), gap],
        ['Job duration (p50)', s(j.duration_s.p50), '–', '–'],
        [`Mean, ${Math.round(j.ciConfidence * 100)} % CI (Student's t)`, ci ? `${s(j.duration_s.mean)} (${s(ci[0])} … ${s(ci[1])})` : s(j.duration_s.mean), '–', '–'],
        ['CPU time, user+sys (p50)', s(j.cpu_s?.p50), r.budget?.cpu_s === undefined ? '–' : s(r.budget.cpu_s), '–'],
        ['Off-CPU time: waiting (p50)', s(j.offCpu_s?.p50), '–', '–'],
        ['Peak RSS (highest run)', `${j.peakRssMb.toFixed(1)}MB`, r.budget?.peak_rss_mb === undefined ? '–' : `${r.budget.peak_rss_mb}MB`, '–'],
        ['Failed runs', String(j.runs.filter((x) => x.exitCode !== 0).length), '0', '–'],
      ],
    ),
    '',
  );
  if (!r.budget) out.push(`_No budget for this job: the target is the method's background-job budget (${DEFAULT_JOB_DURATION_TARGET_S} s)._`, '');
  out.push('**Measurement Method**:', '', '```bash', r.measurement.command, '```', '');
  out.push(`- Runs: ${mdEscape(r.measurement.load)}; wall time from start to exit; CPU time and I/O of the whole process tree (its reaped children's accounting); peak RSS sampled from /proc every 10 ms.`);
  out.push(`- Profiling: ${mdEscape(r.measurement.profiler ?? 'none')}.`, '');
  out.push('**Runs**:', '');
  out.push(
    mdTable(
      ['#', 'Wall', 'CPU', 'Off-CPU', 'Peak RSS', 'Exit'],
      j.runs.map((x, i) => [`${i + 1}${i === j.representativeRun ? ' (representative)' : ''}`, s(x.wallS), s(x.cpuS), s(x.offCpuS), `${x.peakRssMb.toFixed(1)}MB`, String(x.exitCode ?? x.signal)]),
    ),
    '',
  );
  return out;
}
