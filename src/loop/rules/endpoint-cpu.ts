import { severityForPct, type Finding } from '../../core/finding.js';
import type { EndpointSummary } from '../../core/run.js';

/** Evidence floors: requests per endpoint, so one slow warm-up call is not an endpoint's cost. */
const MIN_REQUESTS = 20;
/** The endpoint's share of the CPU charged to requests. */
const MIN_SHARE_PCT = 60;
/** Its CPU per request against the dearest other endpoint: below this the share is the traffic mix, not cost. */
const MIN_COST_RATIO = 3;
/** Absolute floor: main-thread ms per second the endpoint held; below it the loop is mostly idle, nobody waits. */
const MIN_BUSY_MS_PER_S = 100;
/** "Others wait behind it": their p95 at least this many times their own CPU per request, and this many ms more. */
const WAIT_RATIO = 5;
const MIN_WAIT_MS = 5;

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

type Timed = EndpointSummary & { cpuMsPerRequest: number; cpuShare: number };

/**
 * `cpu.endpoint-dominates`: one endpoint's own code takes most of a Node service's main-thread time, and — when
 * the other endpoints' latency is mostly waiting rather than their own work — they wait behind it on the event
 * loop (the single thread runs one request's synchronous code at a time).
 *
 * Quiet on a balanced service: it needs the share (≥ 60 %), a cost per request well above every other
 * endpoint's (≥ 3×, so a share that is only the traffic mix stays quiet), the thread really busy with it
 * (≥ 100 ms per second), and ≥ 20 requests on each side. Impact: the share of the window's main-thread time the
 * endpoint held, what making it cheaper can give back to every endpoint.
 */
export function findEndpointCpuDominance(endpoints: readonly EndpointSummary[], durationS: number): Finding[] {
  const timed = endpoints.filter(
    (e): e is Timed => e.cpuMsPerRequest !== undefined && e.cpuShare !== undefined && e.count >= MIN_REQUESTS,
  );
  if (timed.length < 2 || !(durationS > 0)) return [];
  const top = timed.reduce((a, b) => (b.cpuShare > a.cpuShare ? b : a));
  const others = timed.filter((e) => e !== top);
  if (top.cpuShare < MIN_SHARE_PCT) return [];
  const dearestOther = Math.max(...others.map((e) => e.cpuMsPerRequest));
  if (top.cpuMsPerRequest < MIN_COST_RATIO * dearestOther) return [];
  const busyMsPerS = (top.cpuMsPerRequest * top.count) / durationS;
  if (busyMsPerS < MIN_BUSY_MS_PER_S) return [];
  const waiting = others.filter((e) => e.p95 >= WAIT_RATIO * e.cpuMsPerRequest && e.p95 - e.cpuMsPerRequest >= MIN_WAIT_MS);
  const pct = Math.min(100, Math.round(busyMsPerS / 10));
  const waitText =
    waiting.length > 0
      ? `; other endpoints wait behind it on the event loop (${waiting
          .slice(0, 3)
          .map((e) => `${e.name}: p95 ${r1(e.p95)} ms for ${r2(e.cpuMsPerRequest)} ms of its own CPU`)
          .join(', ')})`
      : '';
  return [
    {
      rule: 'cpu.endpoint-dominates',
      area: 'cpu',
      severity: severityForPct(pct),
      title: `${top.name} spends ${Math.round(top.cpuShare)} % of the CPU (${r2(top.cpuMsPerRequest)} ms per request, ${Math.round(busyMsPerS)} ms of every second on the main thread)${waitText}`,
      evidence: {
        endpoint: top.name,
        cpuSharePct: top.cpuShare,
        cpuMsPerRequest: top.cpuMsPerRequest,
        requests: top.count,
        busyMsPerS: Math.round(busyMsPerS),
        others: others.map((e) => ({ name: e.name, cpuMsPerRequest: e.cpuMsPerRequest, cpuSharePct: e.cpuShare, p95Ms: e.p95 })),
        waitingBehind: waiting.map((e) => e.name),
        floors: { minSharePct: MIN_SHARE_PCT, minCostRatio: MIN_COST_RATIO, minBusyMsPerS: MIN_BUSY_MS_PER_S, minRequests: MIN_REQUESTS },
      },
      recommendation: `Make ${top.name} cheaper (see the CPU findings for its hot functions and the library it enters): cache or paginate its result, do less per request, or move the work to a worker thread so the event loop keeps serving the other endpoints.`,
      estimatedImpact: { pct, basis: "share of the window's main-thread time the endpoint's own code held (CPU ms per second)" },
    },
  ];
}
