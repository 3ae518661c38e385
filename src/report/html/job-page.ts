/**
 * A job run's page: the duration distribution (every run as a bar, CPU and off-CPU stacked, with the median and the
 * confidence interval of the mean), the runs' table, the representative run's flame graph and findings. Drawn as
 * inline SVG on the server, like the sparklines: a few dozen bars need no chart library. Everything printed is escaped.
 */
import { rankFindings } from '../../core/finding.js';
import type { JobRecord, RunRecord } from '../../core/run.js';
import { fmtPct } from '../markdown.js';
import { esc, htmlTable, type PageSpec } from './layout.js';
import type { PageLinks } from './links.js';
import { findingHtml, runHeader, runName } from './run-page.js';

const s = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x < 10 ? x.toFixed(3) : x.toFixed(1)} s`);

/** Each run's wall time as a bar (CPU part solid, off-CPU part light), the median line and the CI band. */
export function durationDistributionSvg(job: JobRecord, width = 640, height = 200): string {
  const runs = job.runs;
  const max = Math.max(...runs.map((r) => r.wallS), job.duration_s.ci?.[1] ?? 0) * 1.1 || 1;
  const left = 48;
  const plotW = width - left - 8;
  const plotH = height - 28;
  const y = (v: number) => 4 + plotH - (v / max) * plotH;
  const bw = Math.max(2, Math.min(40, plotW / Math.max(1, runs.length) - 2));
  const bars = runs
    .map((r, i) => {
      const x = left + i * (plotW / Math.max(1, runs.length)) + 1;
      const cpu = Math.min(r.cpuS ?? 0, r.wallS);
      const rep = i === job.representativeRun ? ' stroke="#000" stroke-width="1.5"' : '';
      const tip = `run ${i + 1}: wall ${s(r.wallS)}, CPU ${s(r.cpuS)}, off-CPU ${s(r.offCpuS)}, exit ${r.exitCode ?? r.signal}`;
      return `<g><title>${esc(tip)}</title><rect x="${x.toFixed(1)}" y="${y(r.wallS).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(cpu) - y(r.wallS)).toFixed(1)}" fill="#9ecae1"${rep}/><rect x="${x.toFixed(1)}" y="${y(cpu).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(cpu)).toFixed(1)}" fill="${r.exitCode === 0 ? '#3182bd' : '#de2d26'}"${rep}/></g>`;
    })
    .join('');
  const ci = job.duration_s.ci;
  const band = ci ? `<rect x="${left}" y="${y(ci[1]).toFixed(1)}" width="${plotW}" height="${Math.max(1, y(ci[0]) - y(ci[1])).toFixed(1)}" fill="#fdae6b" opacity="0.35"><title>${esc(`${Math.round(job.ciConfidence * 100)} % CI of the mean: ${s(ci[0])} … ${s(ci[1])}`)}</title></rect>` : '';
  const median = `<line x1="${left}" x2="${left + plotW}" y1="${y(job.duration_s.p50).toFixed(1)}" y2="${y(job.duration_s.p50).toFixed(1)}" stroke="#e6550d" stroke-dasharray="4 3"/><text x="${left + plotW}" y="${(y(job.duration_s.p50) - 3).toFixed(1)}" text-anchor="end" font-size="11">median ${esc(s(job.duration_s.p50))}</text>`;
  const axis = [0, max / 2, max].map((v) => `<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${esc(s(v))}</text>`).join('');
  const label = `Duration of ${runs.length} runs: median ${s(job.duration_s.p50)}, p95 ${s(job.duration_s.p95)}`;
  return `<svg class="job-distribution" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">${band}${bars}${median}${axis}<text x="${left}" y="${height - 6}" font-size="11">runs 1–${runs.length} · dark: CPU time · light: off-CPU (waiting) · outlined: the representative run</text></svg>`;
}

export function jobPage(r: RunRecord, links: PageLinks): PageSpec {
  const job = r.job!;
  const out: string[] = [];
  out.push(`<h1>job ${esc(job.name)}${r.run.label ? ` · ${esc(r.run.label)}` : ''}</h1>`, runHeader(r, links));
  const ci = job.duration_s.ci;
  out.push(
    `<div>${[
      ['runs', String(job.runs.length)],
      ['p50', s(job.duration_s.p50)],
      ['p95', s(job.duration_s.p95)],
      ['CPU p50', s(job.cpu_s?.p50)],
      ['off-CPU p50', s(job.offCpu_s?.p50)],
      ['peak RSS', `${job.peakRssMb.toFixed(1)} MB`],
      ['failed', String(job.runs.filter((x) => x.exitCode !== 0).length)],
    ]
      .map(([k, v]) => `<span class="stat">${esc(k)}<b>${esc(v)}</b></span>`)
      .join('')}</div>`,
  );
  out.push('<h2>Duration distribution</h2>', durationDistributionSvg(job));
  out.push(`<p>Mean ${esc(s(job.duration_s.mean))}${ci ? `, ${esc(Math.round(job.ciConfidence * 100))} % confidence interval ${esc(s(ci[0]))} … ${esc(s(ci[1]))} (Student's t over the runs)` : ' (one run: no interval)'}.</p>`);
  if (r.budget) out.push('<h2>Budget</h2>', htmlTable(['Limit', 'Max'], Object.entries(r.budget).map(([k, v]) => [esc(k), esc(v)])));
  out.push('<h2>Measurement Method</h2>', `<pre>${esc(r.measurement.command)}</pre>`, `<p>${esc(r.measurement.load)} · profiler: ${esc(r.measurement.profiler ?? 'none')}</p>`);
  out.push(
    '<h2>Runs</h2>',
    htmlTable(
      ['#', 'Wall', 'CPU (user+sys)', 'Off-CPU', 'Peak RSS', 'Read', 'Written', 'Exit'],
      job.runs.map((x, i) => [
        esc(`${i + 1}${i === job.representativeRun ? ' (representative)' : ''}`),
        esc(s(x.wallS)),
        esc(`${s(x.cpuS)}${x.cpuUserS !== null ? ` (${s(x.cpuUserS)} + ${s(x.cpuSysS)})` : ''}`),
        esc(s(x.offCpuS)),
        esc(`${x.peakRssMb.toFixed(1)} MB`),
        esc(x.io.readBytes === null ? '–' : `${(x.io.readBytes / 2 ** 20).toFixed(2)} MB`),
        esc(x.io.writeBytes === null ? '–' : `${(x.io.writeBytes / 2 ** 20).toFixed(2)} MB`),
        esc(x.exitCode ?? x.signal),
      ]),
    ),
  );
  const ranked = rankFindings(r.findings);
  out.push(`<h2>Findings (${ranked.length})</h2>`, ranked.length ? ranked.map(findingHtml).join('') : '<p>No finding above the thresholds.</p>');
  if (r.profile) {
    out.push(
      '<h2>Flame Graph Analysis (the representative run)</h2>',
      htmlTable(
        ['Function', 'Self %', 'Total %', 'Category', 'Action'],
        r.profile.top.slice(0, 10).map((t) => [`<code>${esc(t.name)}</code>${t.file ? ` <span class="small">${esc(t.file.split('/').slice(-2).join('/'))}${t.line ? `:${esc(t.line)}` : ''}</span>` : ''}`, esc(fmtPct(t.selfPct)), esc(fmtPct(t.totalPct)), esc(t.category), esc(t.action)]),
      ),
    );
    const flame = links.artifact(r.run.id, 'flame');
    if (flame) out.push(`<p><a href="${esc(flame)}">open the flame graph on its own</a></p><iframe class="flame" title="CPU flame graph" src="${esc(flame)}"></iframe>`);
  }
  if (r.warnings.length) out.push('<h2>Warnings</h2>', `<ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  return { title: `job ${runName(r)}`, body: out.join('\n'), data: { charts: [] } };
}
