import { relative } from 'node:path';
import type { RunRecord } from '../core/run.js';
import type { CommandIO } from './command.js';

/** The end-of-run summary on the terminal: numbers first, then the top findings, then where the reports are. */
export function printRunSummary(io: CommandIO, r: RunRecord, outDir: string): void {
  const m = r.metrics;
  const d = m.http_req_duration;
  const lines = [
    `run ${r.run.id}${r.run.label ? ` · ${r.run.label}` : ''}`,
    `  latency   p50 ${d.p50} ms · p95 ${d.p95} ms · p99 ${d.p99} ms · max ${d.max} ms`,
    `  traffic   ${m.http_reqs.count} requests · ${m.http_reqs.rate} req/s · ${(m.http_req_failed.rate * 100).toFixed(2)}% failed`,
  ];
  if (m.cpu) lines.push(`  cpu       mean ${m.cpu.meanPct}% · max ${m.cpu.maxPct}% (100% = one core)`);
  if (m.memory) lines.push(`  memory    RSS ${m.memory.rssStartMb} → ${m.memory.rssEndMb} MB (max ${m.memory.rssMaxMb})${m.memory.heapUsedSlopeMbPerMin !== null ? ` · heap ${m.memory.heapUsedSlopeMbPerMin} MB/min` : ''}`);
  if (r.findings.length > 0) {
    lines.push('  findings');
    for (const f of r.findings.slice(0, 6)) lines.push(`    [${f.severity}] ${f.rule}: ${f.title}`);
    if (r.findings.length > 6) lines.push(`    … ${r.findings.length - 6} more in report.md`);
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  lines.push(`  reports   ${relative(process.cwd(), outDir) || '.'}/report.md`);
  io.out(`${lines.join('\n')}\n`);
}
