import type { Finding } from '../core/finding.js';
import { rankFindings } from '../core/finding.js';
import type { Profile } from '../core/profile.js';
import type { RunMetrics } from '../core/run.js';
import type { AgentSample } from '../agent/collector.js';
import type { ProcTreeSample } from '../target/index.js';
import { analyseProfile, type ProfileAnalysis } from '../profile/analyse/index.js';
import { findMemoryGrowth, memoryTrend, type MemoryPoint } from '../memory/timeline.js';
import { findGcPauseGrowth } from '../memory/gc-pause.js';
import { findEventLoopBlocked } from './rules/event-loop.js';
import { findEndpointCpuDominance } from './rules/endpoint-cpu.js';
import type { EndpointSummary } from '../core/run.js';
import { heapPoints } from './run-metrics.js';
import { budgetFindings, checkBudget, type BudgetResult } from '../gate/budget-check.js';
import type { Budget } from '../gate/budget.js';

export interface RunEvidence {
  metrics: RunMetrics;
  profile: Profile | null;
  /** The agent's samples of the measured window. */
  agentSamples: readonly AgentSample[];
  /** Samples for the memory trend: the measured window and the memory phase after it (default agentSamples). */
  memorySamples?: readonly AgentSample[];
  procSamples: readonly ProcTreeSample[];
  /** Live heap after forced full GCs, when GC probes ran. */
  heapProbes?: readonly MemoryPoint[];
  /** Findings of the heap snapshot comparison, when snapshots were taken. */
  heapFindings?: readonly Finding[];
  /** Findings of the database analysis (N+1, slow statements, plans, indexes, pool). */
  dbFindings?: readonly Finding[];
  /** Endpoints with the agent's CPU per request (endpointCpu), and the measured seconds they cover. */
  endpoints?: readonly EndpointSummary[];
  durationS?: number;
}

export interface AnalysisOptions {
  budget?: Budget;
  memoryLimitMb?: number;
}

export interface RunAnalysis {
  findings: Finding[];
  profile: ProfileAnalysis | null;
  budget: BudgetResult[];
}

/** Every analyser over one run's evidence → ranked findings. */
export function analyseRun(e: RunEvidence, o: AnalysisOptions = {}): RunAnalysis {
  const findings: Finding[] = [];
  const profile = e.profile ? analyseProfile(e.profile, { top: 15 }) : null;
  if (profile) findings.push(...profile.findings);

  findings.push(...(e.dbFindings ?? []));

  // Heap used (agent) says more about a leak than RSS; RSS covers any process.
  const probed = (e.heapProbes?.length ?? 0) >= 5;
  const heap = memoryTrend(heapPoints(e.memorySamples ?? e.agentSamples, e.heapProbes), probed ? { minWarmupMs: 0, warmupFraction: 0 } : {});
  const rss = memoryTrend(e.procSamples.map((s) => ({ t: s.t, value: s.rssBytes })));
  const growth = heap
    ? findMemoryGrowth(heap, { series: probed ? 'live V8 heap (after full GC)' : 'V8 heap used', limitMb: o.memoryLimitMb })
    : findMemoryGrowth(rss, { series: 'RSS', limitMb: o.memoryLimitMb });
  findings.push(...growth);
  findings.push(...findGcPauseGrowth(e.agentSamples));
  findings.push(...(e.heapFindings ?? []));

  findings.push(...findEventLoopBlocked(e.agentSamples, e.metrics.http_req_duration));
  findings.push(...findEndpointCpuDominance(e.endpoints ?? [], e.durationS ?? 0));
  const budget = o.budget ? checkBudget(e.metrics, o.budget) : [];
  findings.push(...budgetFindings(budget));
  return { findings: rankFindings(findings), profile, budget };
}
