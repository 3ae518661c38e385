/** Category hues shared by the static SVG (the HTML page carries its own copy in its script). */
export const CATEGORY_HUES: Record<string, number> = {
  database: 205,
  serialization: 32,
  logging: 280,
  gc: 355,
  regexp: 318,
  'compression/crypto': 168,
  'node core': 95,
  'your code': 14,
  dependency: 52,
  framework: 235,
  'runtime/stdlib': 75,
  kernel: 190,
};

function hash(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) h = (h * 31 + s.charCodeAt(k)) >>> 0;
  return h;
}

export function frameColor(name: string, category: string): string {
  const h = hash(name);
  const base = CATEGORY_HUES[category];
  if (category === 'v8/native' || category === '')
    return `hsl(${30 + (h % 20)},${8 + (h % 10)}%,${68 + (h % 14)}%)`;
  const hue = ((base === undefined ? 20 + (h % 40) : base + (h % 16) - 8) + 360) % 360;
  return `hsl(${hue},${52 + (h % 25)}%,${58 + (h % 16)}%)`;
}

/** Differential colour: red grew, blue shrank, vivid for new/gone, grey when unchanged. `scale` is the largest |delta|. */
export function diffColor(after: number, before: number, scale: number): string {
  if (before > 0 && after === 0) return 'rgb(70,110,235)';
  if (after > 0 && before === 0) return 'rgb(235,60,50)';
  const d = after - before;
  const s = scale > 0 ? Math.sqrt(Math.min(1, Math.abs(d) / scale)) : 0;
  if (s < 0.02) return 'rgb(222,222,222)';
  const lo = Math.round(225 - 175 * s);
  return d > 0 ? `rgb(250,${lo},${lo})` : `rgb(${lo},${lo},250)`;
}
