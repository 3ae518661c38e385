import { Histogram } from '../core/histogram.js';
import { rankFindings } from '../core/finding.js';
import type { RunRecord } from '../core/run.js';
import { escapeHtml } from '../profile/render/escape.js';
import { lineChartSvg } from './svg-chart.js';

const esc = (x: unknown) => escapeHtml(String(x ?? '–'));

/** `report.html`: the run's numbers, charts over time (latency, memory, CPU) and findings, self-contained. */
export function runHtml(r: RunRecord): string {
  const m = r.metrics;
  const latency = r.intervals.map((i) => {
    const h = Histogram.decode(i.histogram);
    return { x: i.t, p50: h.count ? h.percentile(50) / 1000 : null, p95: h.count ? h.percentile(95) / 1000 : null };
  });
  const charts = [
    lineChartSvg('Latency per second', 'ms', [
      { name: 'p50', color: '#1976d2', points: latency.map((p) => ({ x: p.x, y: p.p50 })) },
      { name: 'p95', color: '#d32f2f', points: latency.map((p) => ({ x: p.x, y: p.p95 })) },
    ]),
    lineChartSvg('Memory', 'MB', [
      { name: 'RSS', color: '#6d4c41', points: r.timeline.map((p) => ({ x: p.t, y: p.rssMb })) },
      { name: 'V8 heap used', color: '#2e7d32', points: r.timeline.map((p) => ({ x: p.t, y: p.heapUsedMb })) },
      { name: 'live heap (after full GC)', color: '#8e24aa', points: r.timeline.filter((p) => p.liveHeapMb !== null).map((p) => ({ x: p.t, y: p.liveHeapMb })) },
    ]),
    lineChartSvg('CPU (100% = one core)', '%', [{ name: 'CPU', color: '#f57c00', points: r.timeline.map((p) => ({ x: p.t, y: p.cpuPct })) }]),
  ];
  const rows = [
    ['p50 / p95 / p99', `${m.http_req_duration.p50} / ${m.http_req_duration.p95} / ${m.http_req_duration.p99} ms`],
    ['Throughput', `${m.http_reqs.rate} req/s (${m.http_reqs.count} requests)`],
    ['Errors', `${(m.http_req_failed.rate * 100).toFixed(2)}%`],
    ['CPU', m.cpu ? `mean ${m.cpu.meanPct}%, max ${m.cpu.maxPct}%` : '–'],
    ['Memory', m.memory ? `RSS ${m.memory.rssStartMb} → ${m.memory.rssEndMb} MB (max ${m.memory.rssMaxMb}); heap trend ${m.memory.heapUsedSlopeMbPerMin ?? '–'} MB/min` : '–'],
  ];
  const findings = rankFindings(r.findings)
    .map((f) => `<tr><td>${esc(f.severity)}</td><td><code>${esc(f.rule)}</code></td><td>${esc(f.title)}<br><small>${esc(f.recommendation)}</small></td><td>${esc(f.estimatedImpact.pct)}%</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>perfloop run ${esc(r.run.id)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}small{color:#555}</style></head><body>
<h1>${esc(r.run.label || r.run.target)}</h1>
<p>Run <code>${esc(r.run.id)}</code> · ${esc(r.run.startedAt)} · target <code>${esc(r.run.target)}</code>${r.artifacts.flame ? ' · <a href="flame.html">CPU flame graph</a>' : ''} · <a href="report.md">report.md</a></p>
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${charts.join('\n')}
<h2>Findings</h2><table><tr><th>Severity</th><th>Rule</th><th>Finding</th><th>Est. impact</th></tr>${findings || '<tr><td colspan="4">none</td></tr>'}</table>
</body></html>
`;
}
