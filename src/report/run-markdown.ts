import { rankFindings } from '../core/finding.js';
import type { RunRecord } from '../core/run.js';
import { check, fmtMs, fmtNum, fmtPct, mdCode, mdEscape, mdTable } from './markdown.js';
import { DEFAULT_P95_TARGET_MS, symptoms } from './symptoms.js';
import { testScenariosMarkdown } from './test-scenarios.js';
import { jobAssessmentMarkdown } from './job-markdown.js';
import { endpointCpuNote, endpointTable } from './endpoint-table.js';

/** Target vs current: the gap column is how far the current value is above the target (– when met). */
function row(name: string, current: number | null | undefined, target: number | undefined, unit: 'ms' | 'rps' | 'MB' | '%', higherIsBetter = false) {
  const f = (x: number | null | undefined) =>
    x === null || x === undefined ? '–' : unit === 'ms' ? fmtMs(x) : unit === 'rps' ? `${fmtNum(x, 0)} req/s` : unit === 'MB' ? `${fmtNum(x, 0)}MB` : fmtPct(x, 0);
  let gap = '–';
  if (target !== undefined && current !== null && current !== undefined) {
    const d = higherIsBetter ? target - current : current - target;
    gap = d > 0 ? f(d) : 'met';
  }
  return [name, f(current), target === undefined ? '–' : f(target), gap];
}

/** The method's Current Performance Baseline: metric, current, target (from the budget), gap. */
export function baselineRows(r: RunRecord): string[][] {
  const m = r.metrics;
  const b = r.budget ?? {};
  return [
    row('Response time (p50)', m.http_req_duration.p50, b.p50_latency_ms, 'ms'),
    row('Response time (p95)', m.http_req_duration.p95, b.p95_latency_ms ?? DEFAULT_P95_TARGET_MS, 'ms'),
    row('Response time (p99)', m.http_req_duration.p99, b.p99_latency_ms, 'ms'),
    row('Throughput', m.http_reqs.rate, b.throughput_rps, 'rps', true),
    row('Memory usage', m.memory?.rssMaxMb, b.memory_mb, 'MB'),
    row('CPU usage', m.cpu?.meanPct, b.cpu_pct, '%'),
    row('Error rate', m.http_req_failed.rate * 100, b.error_rate === undefined ? undefined : b.error_rate * 100, '%'),
  ];
}

/** `report.md`: the method's Performance Assessment with measured numbers, then the analysis. */
/** "go go1.19.8 · profiler pprof at 100 Hz · samples cover 97 % of the CPU /proc counted". */
function runtimeLine(rt: NonNullable<RunRecord['runtime']>): string {
  const parts = [`${rt.name}${rt.version ? ` ${rt.version}` : ''}`, rt.profiler ? `profiler ${rt.profiler}${rt.samplingHz ? ` at ${rt.samplingHz} Hz` : ''}` : 'not profiled'];
  if (rt.samplesVsCpu) parts.push(`samples stand for ${rt.samplesVsCpu.sampledCpuMs} ms of ${rt.samplesVsCpu.procCpuMs} ms CPU (${Math.round(rt.samplesVsCpu.ratio * 100)} %)`);
  return parts.join(' · ');
}

export function runMarkdown(r: RunRecord): string {
  const m = r.metrics;
  const out: string[] = [];
  if (r.kind === 'job' && r.job) out.push(...jobAssessmentMarkdown(r));
  else {
  out.push(`### Performance Assessment: ${mdEscape(r.run.label || r.run.target)}`, '');
  out.push(`Run \`${r.run.id}\` · ${r.run.startedAt} · target ${mdCode(r.run.target)}${r.run.gitSha ? ` · commit \`${r.run.gitSha.slice(0, 10)}\`` : ''}`, '');
  out.push('**Current Performance Baseline**:', '');
  out.push(
    mdTable(
      ['Metric', 'Current', 'Target', 'Gap'],
      baselineRows(r),
    ),
    '',
  );
  if (!r.budget) out.push(`_No budget given: the p95 target is the method's default API budget (${DEFAULT_P95_TARGET_MS} ms)._`, '');
  out.push('**Measurement Method**:', '', '```bash', r.measurement.command, '```', '');
  out.push(`- Load: ${mdEscape(r.measurement.load)}; ${m.http_reqs.count} requests, ${m.http_req_failed.count} failed.`);
  out.push(
    `- Profiling: ${mdEscape(r.measurement.profiler ?? 'none — no CPU profile for a target without the perfloop agent (not Node, or --no-profile); try `perfloop profile --with perf -- CMD`')}.`,
  );
  if (r.runtime) out.push(`- Runtime: ${mdEscape(runtimeLine(r.runtime))}.`);
  if (r.http) out.push(`- HTTP: the service answered HTTP/${mdEscape(r.http.version)}${r.http.version === '1.0' ? ' (no keep-alive by default: a connection per request unless it says otherwise)' : ''}.`);
  const agent = m.event_loop_delay !== null;
  out.push(
    `- Resources: /proc of the target process tree every 250 ms (CPU % of one core, RSS)${agent ? '; V8 heap and event-loop delay from the agent' : ''}.`,
  );
  if (r.efficiency)
    out.push(
      `- Per unit of work: ${r.efficiency.cpuMsPerRequest === null ? '–' : `${r.efficiency.cpuMsPerRequest} ms CPU per request`} · ${r.efficiency.rssMbPerKRps === null ? '–' : `${r.efficiency.rssMbPerKRps} MB RSS per 1,000 req/s`}.`,
    );
  if (r.host)
    out.push(
      `- Host during the measured window: other processes ${r.host.otherCpuPct} % of a core, steal ${r.host.stealPct} %, load average ${r.host.loadAvg1}; the load generator ${r.host.generatorCpuPct} %.`,
    );
  out.push('');
  if (r.testScenario) out.push(...testScenariosMarkdown(r.testScenario));
  out.push('**Symptoms Observed**:', '');
  for (const s of symptoms(r)) out.push(`- ${check(s.observed)} ${s.name} (${mdEscape(s.evidence)})`);
  out.push('');
  }

  if (r.profile) {
    out.push(`### Flame Graph Analysis: ${mdEscape(r.artifacts.profile ?? 'profile.cpuprofile')}`, '', '**Top Time Consumers** (self time, % of non-idle CPU samples):', '');
    out.push(
      mdTable(
        ['Function', 'Time %', 'Category', 'Action'],
        r.profile.top.slice(0, 8).map((t) => [
          `${mdCode(t.name)}${t.file ? ` <sub>${mdEscape(t.file.split('/').slice(-2).join('/'))}${t.line ? `:${t.line}` : ''}</sub>` : ''}`,
          fmtPct(t.selfPct),
          mdEscape(t.category),
          mdEscape(t.action),
        ]),
      ),
      '',
    );
    out.push(`Categories: ${r.profile.categories.slice(0, 8).map((c) => `${mdEscape(c.name)} ${fmtPct(c.pct)}`).join(' · ')}`, '');
    const unexpected = r.findings.filter((f) => f.area === 'cpu' && f.rule !== 'cpu.hot-function');
    out.push('**Unexpected Findings**:', '');
    if (unexpected.length === 0) out.push('- none beyond the top consumers above');
    for (const f of unexpected) out.push(`- ${mdEscape(f.title)}`);
    out.push('');
  }
  const ranked = rankFindings(r.findings);
  out.push('**Optimization Priorities**:', '');
  if (ranked.length === 0) out.push('- nothing stands out: no finding above the thresholds');
  ranked.slice(0, 5).forEach((f, i) => out.push(`${i + 1}. ${mdEscape(f.title)} — ${mdEscape(f.recommendation)}`));
  out.push('');

  if (r.database) out.push(r.database.markdown, '');
  else if (r.queries && r.queries.length > 0) {
    out.push('### Database Performance Analysis', '', '**Top queries by total time**:', '');
    out.push(
      mdTable(
        ['Query', 'Calls', 'Total', 'Mean', 'p95', 'Rows'],
        r.queries.slice(0, 10).map((q) => [mdCode(q.query.slice(0, 160)), String(q.calls), fmtMs(q.totalMs), fmtMs(q.meanMs), fmtMs(q.p95Ms), String(q.rows)]),
      ),
      '',
    );
  }

  if (r.heap) out.push('### Memory Analysis', '', r.heap.tablesMarkdown, '');
  out.push('### Findings (ranked by estimated impact)', '');
  if (ranked.length === 0) out.push('No findings.');
  else
    out.push(
      mdTable(
        ['#', 'Severity', 'Rule', 'Finding', 'Est. impact'],
        ranked.map((f, i) => [String(i + 1), f.severity, `\`${f.rule}\``, mdEscape(f.title), fmtPct(f.estimatedImpact.pct)]),
      ),
    );
  out.push('');
  if (r.endpoints.length > 1) {
    out.push('### Endpoints', '');
    const table = endpointTable(r.endpoints);
    out.push(mdTable(table.headers, table.rows.map((row) => row.map(mdEscape))), '');
    const note = endpointCpuNote(r.endpoints);
    if (note) out.push(mdEscape(note), '');
  }
  if (r.warnings.length > 0) {
    out.push('### Warnings', '');
    for (const w of r.warnings) out.push(`- ${mdEscape(w)}`);
    out.push('');
  }
  const artifacts = Object.entries(r.artifacts);
  if (artifacts.length > 0) out.push(`Artifacts: ${artifacts.map(([k, v]) => `[${mdEscape(k)}](${encodeURI(v)})`).join(' · ')}`, '');
  return out.join('\n');
}
