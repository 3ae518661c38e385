import { escapeHtml } from '../profile/render/escape.js';

export interface ChartSeries {
  name: string;
  color: string;
  points: { x: number; y: number | null }[];
}

/** A small self-contained line chart (inline SVG, no script): for memory, CPU and latency over a run. */
export function lineChartSvg(title: string, unit: string, series: readonly ChartSeries[], width = 640, height = 200): string {
  const pts = series.flatMap((s) => s.points.filter((p) => p.y !== null)) as { x: number; y: number }[];
  if (pts.length === 0) return `<p>${escapeHtml(title)}: no data</p>`;
  const pad = { l: 48, r: 12, t: 24, b: 28 };
  const xMax = Math.max(1, ...pts.map((p) => p.x));
  const yMax = Math.max(1e-9, ...pts.map((p) => p.y)) * 1.1;
  const X = (x: number) => pad.l + (x / xMax) * (width - pad.l - pad.r);
  const Y = (y: number) => height - pad.b - (y / yMax) * (height - pad.t - pad.b);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = Y(f * yMax);
      return `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${pad.l - 4}" y="${y + 4}" text-anchor="end" font-size="10">${fmt(f * yMax)}</text>`;
    })
    .join('');
  const lines = series
    .map((s) => {
      const d = s.points
        .filter((p) => p.y !== null)
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${X(p.x).toFixed(1)},${Y(p.y as number).toFixed(1)}`)
        .join('');
      return d ? `<path d="${d}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="1.5"/>` : '';
    })
    .join('');
  const legend = series
    .map((s, i) => `<text x="${pad.l + 8 + i * 150}" y="14" font-size="11" fill="${escapeHtml(s.color)}">■ ${escapeHtml(s.name)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">
<title>${escapeHtml(title)}</title>${grid}${lines}${legend}
<text x="${width - pad.r}" y="${height - 8}" text-anchor="end" font-size="10">seconds → (${escapeHtml(unit)})</text></svg>`;
}
