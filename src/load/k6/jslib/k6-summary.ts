/**
 * jslib.k6.io/k6-summary: `textSummary(data, { indent, enableColors })` and `jUnit(data)` over the data
 * handleSummary receives (summary-data.ts), written for perfloop.
 */
type Metric = { type: string; contains: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> };
interface Check { name: string; passes: number; fails: number }
interface Group { name: string; groups: Group[]; checks: Check[] }
interface Data { root_group: Group; metrics: Record<string, Metric>; options?: { summaryTrendStats?: string[] } }

const fmtTime = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(2)}m` : ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : ms >= 1 ? `${ms.toFixed(2)}ms` : `${(ms * 1000).toFixed(2)}µs`;
const fmtData = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b} B`);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function value(m: Metric, stats: string[]): string {
  const v = m.values;
  const num = (x: number) => (m.contains === 'time' ? fmtTime(x) : m.contains === 'data' ? fmtData(x) : String(+x.toFixed(6)));
  switch (m.type) {
    case 'trend':
      return stats.map((s) => `${s}=${num(v[s] ?? 0)}`).join(' ');
    case 'counter':
      return `${num(v.count)} ${m.contains === 'data' ? `${fmtData(v.rate)}/s` : `${+v.rate.toFixed(6)}/s`}`;
    case 'rate':
      return `${pct(v.rate)} ${v.passes} out of ${v.passes + v.fails}`;
    default:
      return `${num(v.value)} min=${num(v.min)} max=${num(v.max)}`;
  }
}

export function textSummary(data: Data, o: { indent?: string; enableColors?: boolean } = {}): string {
  const indent = o.indent ?? ' ';
  const color = (c: number, s: string) => (o.enableColors ? `\x1b[${c}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const group = (g: Group, depth: number) => {
    const pad = indent + '  '.repeat(depth);
    if (depth > 0) lines.push(`${pad}█ ${g.name}`, '');
    for (const c of g.checks)
      lines.push(
        c.fails === 0
          ? `${pad}  ${color(32, '✓')} ${c.name}`
          : `${pad}  ${color(31, '✗')} ${c.name}\n${pad}   ↳  ${pct(c.passes / (c.passes + c.fails))} — ✓ ${c.passes} / ✗ ${c.fails}`,
      );
    if (g.checks.length) lines.push('');
    for (const child of g.groups) group(child, depth + 1);
  };
  group(data.root_group, 0);
  const stats = data.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const names = Object.keys(data.metrics).sort();
  const width = Math.max(...names.map((n) => n.length)) + 2;
  for (const n of names) {
    const m = data.metrics[n];
    const failed = m.thresholds && Object.values(m.thresholds).some((t) => !t.ok);
    const mark = m.thresholds ? (failed ? color(31, '✗') : color(32, '✓')) : ' ';
    lines.push(`${indent}${mark} ${(n + '.').padEnd(width, '.')}: ${value(m, stats)}`);
  }
  return `${lines.join('\n')}\n`;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One testcase per threshold; a crossed threshold is a failure. */
export function jUnit(data: Data, o: { name?: string; classname?: string } = {}): string {
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, m] of Object.entries(data.metrics))
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const name = xml(`${metric} - ${expr}`);
      if (t.ok) cases.push(`<testcase name="${name}"/>`);
      else {
        failures++;
        cases.push(`<testcase name="${name}"><failure message="failed"/></testcase>`);
      }
    }
  const suite = xml(o.name ?? 'k6 thresholds');
  return `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">${cases.join('\n')}\n</testsuite>\n</testsuites>\n`;
}

export default { textSummary, jUnit };
