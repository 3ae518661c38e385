import type { EndpointSummary } from '../core/run.js';
import { fmtMs, fmtPct } from './markdown.js';

/**
 * The endpoints table's columns, shared by the Markdown and HTML reports (cells are plain text; each report
 * escapes them). The CPU columns appear only when the Node agent charged CPU to requests.
 */
export function endpointTable(endpoints: readonly EndpointSummary[]): { headers: string[]; rows: string[][] } {
  const cpu = endpoints.some((e) => e.cpuShare !== undefined);
  const headers = ['Endpoint', 'Requests', 'p50', 'p95', 'p99', 'Errors', ...(cpu ? ['CPU ms/req', 'CPU share'] : [])];
  const rows = endpoints.map((e) => [
    e.name,
    String(e.count),
    fmtMs(e.p50),
    fmtMs(e.p95),
    fmtMs(e.p99),
    String(e.errors),
    ...(cpu ? [e.cpuMsPerRequest === undefined ? '–' : fmtCpuMs(e.cpuMsPerRequest), fmtPct(e.cpuShare)] : []),
  ]);
  return { headers, rows };
}

/** CPU per request is often well below a millisecond: keep three significant digits there. */
function fmtCpuMs(ms: number): string {
  return ms >= 10 ? `${ms.toFixed(1)}ms` : `${+ms.toPrecision(3)}ms`;
}

/** What the CPU columns measure, said once under the table (plain text; each report escapes it). */
export function endpointCpuNote(endpoints: readonly EndpointSummary[]): string | null {
  if (!endpoints.some((e) => e.cpuShare !== undefined)) return null;
  return "CPU ms/req: main-thread time of the endpoint's own code (every callback in its request's async context, from the perfloop agent); CPU share: its part of the time charged to all requests. On a busy host it includes waits for a core.";
}
