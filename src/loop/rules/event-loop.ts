import { severityForPct, type Finding } from '../../core/finding.js';

export interface EventLoopStats {
  p50: number;
  p99: number;
  max: number;
}

/** p99 of the event-loop delay above this (ms) means synchronous work is holding every request back. */
const BLOCKED_P99_MS = 20;

/** `http.event-loop-blocked`: a Node service whose event loop is held by synchronous work under load. */
export function findEventLoopBlocked(eld: EventLoopStats | null, latencyP95Ms: number): Finding[] {
  if (!eld || eld.p99 < BLOCKED_P99_MS) return [];
  const pct = latencyP95Ms > 0 ? Math.min(100, Math.round((100 * eld.p99) / latencyP95Ms)) : 0;
  return [
    {
      rule: 'http.event-loop-blocked',
      area: 'http',
      severity: severityForPct(pct),
      title: `Event loop blocked: delay p99 ${eld.p99} ms, max ${eld.max} ms`,
      evidence: { ...eld, thresholdMs: BLOCKED_P99_MS, latencyP95Ms },
      recommendation:
        'Synchronous work runs on the request path (sync I/O, big JSON, crypto, regexps): see the CPU findings for which function, move it off the loop (async API, worker thread) or make it smaller.',
      estimatedImpact: { pct, basis: 'event-loop delay p99 as a share of request latency p95' },
    },
  ];
}
