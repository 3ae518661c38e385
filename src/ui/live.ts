import { COLORS, type ChartSpec } from '../report/html/chart-spec.js';

/** One second of a running test, as `perfloop load|run --dashboard` reports it (POST /api/live). */
export interface LivePoint {
  t: number;
  vus: number;
  rps: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Failed requests in that second. */
  errors: number;
  requests: number;
  /** The target's CPU (% of a core) and RSS, when the command samples the target (perfloop run). */
  cpuPct?: number | null;
  rssMb?: number | null;
  stage?: string;
  thresholds?: { ok: number; failed: number } | null;
}

export interface LiveMessage {
  session: string;
  title?: string;
  point?: LivePoint;
  done?: boolean;
}

interface Session {
  id: string;
  title: string;
  startedAt: string;
  done: boolean;
  points: LivePoint[];
}

/** At most this many seconds per session and this many sessions are kept: a dashboard left open stays small. */
const MAX_POINTS = 3600;
const MAX_SESSIONS = 20;

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Checks a POSTed message field by field; returns every problem with its path, or the message. */
export function parseLiveMessage(body: unknown): { ok: true; message: LiveMessage } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') return { ok: false, errors: ['body: expected a JSON object'] };
  if (typeof b.session !== 'string' || b.session === '' || b.session.length > 200) errors.push('session: expected a non-empty string');
  if (b.title !== undefined && typeof b.title !== 'string') errors.push('title: expected a string');
  if (b.point !== undefined) {
    const p = b.point as Record<string, unknown>;
    if (!p || typeof p !== 'object') errors.push('point: expected an object');
    else for (const k of ['t', 'vus', 'rps', 'errors', 'requests']) if (num(p[k]) === null) errors.push(`point.${k}: expected a number`);
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, message: b as unknown as LiveMessage };
}

/** The running tests a dashboard has heard of, newest first; what the Live page polls. */
export class LiveHub {
  private readonly sessions = new Map<string, Session>();

  accept(m: LiveMessage): void {
    let s = this.sessions.get(m.session);
    if (!s) {
      s = { id: m.session, title: m.title ?? m.session, startedAt: new Date().toISOString(), done: false, points: [] };
      this.sessions.set(m.session, s);
      while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    }
    if (m.title) s.title = m.title;
    if (m.point) {
      s.points.push(m.point);
      if (s.points.length > MAX_POINTS) s.points.shift();
    }
    if (m.done) s.done = true;
  }

  /** The newest session as the Live page shows it: the numbers as text and the charts as data. */
  view(): { text: Record<string, string>; charts: ChartSpec[] } {
    const newest = [...this.sessions.values()].at(-1);
    const s: Session = newest ?? { id: '', title: '', startedAt: '', done: false, points: [] };
    const last = s.points.at(-1);
    const x = s.points.map((p) => p.t);
    const col = (f: (p: LivePoint) => number | null | undefined) => s.points.map((p) => f(p) ?? null);
    const th = last?.thresholds;
    const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${+v.toFixed(1)} ms`);
    const charts: ChartSpec[] = [
      { id: 'live-vus', title: 'Virtual users', unit: 'VUs', x, series: [{ name: 'VUs', color: COLORS.vus, values: col((p) => p.vus) }] },
      { id: 'live-rps', title: 'Throughput', unit: 'req/s', x, series: [{ name: 'req/s', color: COLORS.rps, values: col((p) => p.rps) }] },
      {
        id: 'live-latency',
        title: 'Latency (last second)',
        unit: 'ms',
        x,
        series: [
          { name: 'p50', color: COLORS.p50, values: col((p) => p.p50Ms) },
          { name: 'p95', color: COLORS.p95, values: col((p) => p.p95Ms) },
          { name: 'p99', color: COLORS.p99, values: col((p) => p.p99Ms) },
        ],
      },
      { id: 'live-errors', title: 'Errors per second', unit: 'errors', x, series: [{ name: 'errors', color: COLORS.errors, values: col((p) => p.errors) }] },
      { id: 'live-cpu', title: 'Target CPU', unit: '%', x, series: [{ name: 'CPU', color: COLORS.cpu, values: col((p) => p.cpuPct) }] },
      { id: 'live-rss', title: 'Target RSS', unit: 'MB', x, series: [{ name: 'RSS', color: COLORS.rss, values: col((p) => p.rssMb) }] },
    ];
    return {
      text: {
        state: !newest ? 'waiting for a test (perfloop load … --dashboard URL)' : s.done ? 'finished' : 'running',
        title: s.title,
        elapsed: last ? `${last.t} s` : '–',
        vus: last ? String(last.vus) : '–',
        rps: last ? String(Math.round(last.rps)) : '–',
        p95: ms(last?.p95Ms),
        p99: ms(last?.p99Ms),
        requests: last ? String(last.requests) : '–',
        errors: last ? String(s.points.reduce((a, p) => a + p.errors, 0)) : '–',
        thresholds: th ? (th.failed > 0 ? `${th.failed} failing, ${th.ok} passing` : `${th.ok} passing`) : 'none',
        cpu: last?.cpuPct === null || last?.cpuPct === undefined ? '–' : `${Math.round(last.cpuPct)} %`,
        rss: last?.rssMb === null || last?.rssMb === undefined ? '–' : `${Math.round(last.rssMb)} MB`,
      },
      charts,
    };
  }
}

