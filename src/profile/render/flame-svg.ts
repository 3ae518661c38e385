import { diffColor, frameColor } from './colors.js';
import { escapeHtml } from './escape.js';
import type { FlameData } from './flame-data.js';

/**
 * A static SVG flame graph for pull requests and Markdown (GitHub shows SVG images; tooltips come from <title>).
 * Left-heavy, root at the bottom; frames narrower than half a pixel are left out and the number of rectangles is
 * capped, so a million-sample profile still gives a small file. Every name is escaped: a function may be named
 * `<script>`.
 */
export interface SvgOptions {
  width?: number;
  /** At most this many rectangles (the narrowest frames go first). */
  maxRects?: number;
}

const ROW = 16;
const HEADER = 36;

export function flameSvg(data: FlameData, options: SvgOptions = {}): string {
  const width = options.width ?? 1200;
  const maxRects = options.maxRects ?? 12_000;
  const n = data.frame.length;
  const diff = data.diff;
  let afterRoot = 0;
  let beforeRoot = 0;
  for (let i = 0; i < n; i++) {
    if (data.parent[i] < 0) {
      afterRoot += data.total[i];
      if (diff) beforeRoot += diff.beforeTotal[i];
    }
  }
  const aShare = (i: number) => (afterRoot > 0 ? data.total[i] / afterRoot : 0);
  const bShare = (i: number) => (diff && beforeRoot > 0 ? diff.beforeTotal[i] / beforeRoot : 0);
  // Width: the total (a diff shows the average of both shares, so vanished frames keep a width).
  const val = new Float64Array(n);
  for (let i = 0; i < n; i++) val[i] = diff ? (aShare(i) + bShare(i)) / 2 : data.total[i];
  const children: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let i = 0; i < n; i++) children[data.parent[i] + 1].push(i);
  for (const c of children) c.sort((a, b) => val[b] - val[a]);
  let rootVal = 0;
  for (const r of children[0]) rootVal += val[r];
  const scale = rootVal > 0 ? width / rootVal : 0;
  // Visible frames with their x and depth, iteratively; then keep the widest maxRects.
  const x = new Float64Array(n);
  const depth = new Int32Array(n);
  const visible: number[] = [];
  const stack: number[] = [];
  let acc = 0;
  for (const r of children[0]) {
    x[r] = acc;
    acc += val[r];
    stack.push(r);
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (val[i] * scale < 0.5) continue;
    visible.push(i);
    let cx = x[i];
    for (const c of children[i + 1]) {
      x[c] = cx;
      depth[c] = depth[i] + 1;
      cx += val[c];
      stack.push(c);
    }
  }
  if (visible.length > maxRects) {
    visible.sort((a, b) => val[b] - val[a]);
    visible.length = maxRects;
  }
  let maxDepth = 0;
  for (const i of visible) if (depth[i] > maxDepth) maxDepth = depth[i];
  let maxDelta = 0;
  if (diff) for (const i of visible) maxDelta = Math.max(maxDelta, Math.abs(aShare(i) - bShare(i)));
  const height = HEADER + (maxDepth + 1) * ROW + 8;
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Verdana,sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${escapeHtml(data.title)}</text>`,
  );
  if (diff) {
    out.push(
      `<text x="${width / 2}" y="32" text-anchor="middle" fill="#555">${escapeHtml(`red grew, blue shrank: ${diff.beforeName} → ${diff.afterName} (share of each profile)`)}</text>`,
    );
  }
  for (const i of visible) {
    const f = data.frame[i];
    const name = data.names[f];
    const rx = x[i] * scale;
    const rw = val[i] * scale;
    const ry = height - 8 - (depth[i] + 1) * ROW;
    const fill = diff ? diffColor(aShare(i), bShare(i), maxDelta) : frameColor(name, data.categories[f]);
    const tip = diff
      ? `${name}${data.locations[f] ? ` (${data.locations[f]})` : ''}: ${pct(bShare(i))} → ${pct(aShare(i))}`
      : `${name}${data.locations[f] ? ` (${data.locations[f]})` : ''}: ${pct(rootVal > 0 ? val[i] / rootVal : 0)}${data.categories[f] ? `, ${data.categories[f]}` : ''}`;
    out.push(
      `<g><title>${escapeHtml(tip)}</title><rect x="${rx.toFixed(2)}" y="${ry}" width="${Math.max(rw - 0.5, 0.3).toFixed(2)}" height="${ROW - 1}" fill="${fill}" rx="1"/>`,
    );
    const chars = Math.floor((rw - 6) / 6.6);
    if (chars >= 3) {
      const label = name.length <= chars ? name : `${name.slice(0, chars - 2)}..`;
      out.push(`<text x="${(rx + 3).toFixed(2)}" y="${ry + 11.5}">${escapeHtml(label)}</text>`);
    }
    out.push('</g>');
  }
  out.push('</svg>\n');
  return out.join('\n');
}
