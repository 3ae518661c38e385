import { escapeHtml } from '../../profile/render/escape.js';

/**
 * A sparkline as inline SVG (no script: a Runs page lists many scenarios, each with three; drawing them on the
 * server keeps the page light and readable without JavaScript). Values oldest first; nulls leave a gap.
 */
export function sparklineSvg(values: readonly (number | null)[], color: string, label: string, width = 140, height = 32): string {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (nums.length === 0) return `<svg width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}: no data"></svg>`;
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = 2 + i * step;
    const y = height - 3 - ((v - min) / span) * (height - 6);
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  const last = nums[nums.length - 1];
  return `<svg class="sparkline" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`${label}: last ${last}`)}"><path d="${d}" fill="none" stroke="${escapeHtml(color)}" stroke-width="1.5"/></svg>`;
}
