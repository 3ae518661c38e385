import type { RunRecord } from '../core/run.js';

export interface Symptom {
  name: string;
  observed: boolean;
  evidence: string;
}

/** The API response budget the method uses when the user gave none. */
export const DEFAULT_P95_TARGET_MS = 200;

/** The method's "Symptoms Observed" checklist, each ticked from evidence in the run. */
export function symptoms(r: RunRecord): Symptom[] {
  const m = r.metrics;
  const p95Target = r.budget?.p95_latency_ms ?? DEFAULT_P95_TARGET_MS;
  const has = (rule: string) => r.findings.some((f) => f.rule === rule);
  const poolWaiting = r.findings.find((f) => f.rule === 'db.pool-saturation');
  return [
    {
      name: 'Slow response times',
      observed: m.http_req_duration.p95 > p95Target,
      evidence: `p95 ${m.http_req_duration.p95} ms vs target ${p95Target} ms`,
    },
    {
      name: 'High CPU usage',
      observed: (m.cpu?.meanPct ?? 0) >= 70,
      evidence: m.cpu ? `mean ${m.cpu.meanPct}% / max ${m.cpu.maxPct}% of one core` : 'not measured',
    },
    {
      name: 'Memory growth over time',
      observed: has('memory.growth'),
      evidence: m.memory?.heapUsedSlopeMbPerMin != null ? `heap used ${m.memory.heapUsedSlopeMbPerMin} MB/min` : m.memory ? `RSS ${m.memory.rssStartMb} → ${m.memory.rssEndMb} MB` : 'not measured',
    },
    {
      name: 'Timeout errors',
      observed: m.http_req_failed.noResponse > 0,
      evidence: `${m.http_req_failed.noResponse} requests without a response`,
    },
    {
      name: 'Database connection exhaustion',
      observed: !!poolWaiting,
      evidence: poolWaiting ? poolWaiting.title : 'no request waited for a pool connection',
    },
  ];
}
