/**
 * A chart as data (columnar arrays, the shape uPlot draws): the page script turns each into a uPlot chart.
 * Built on the server from run records; the browser only ever gets numbers and strings to draw as text.
 */
export interface ChartSpec {
  id: string;
  title: string;
  /** Unit of the y axis ("ms", "req/s", "%", "MB"). */
  unit: string;
  /** x values: seconds of the run, or a run index when `xLabels` names each point. */
  x: number[];
  /** Per x index, the tick text (commit/label of a run on a trend chart). */
  xLabels?: string[];
  series: { name: string; color: string; values: (number | null)[]; dash?: boolean }[];
  /** Vertical markers: phases of a run (snapshot pauses, memory phase), or a run's verdict on a trend. */
  marks?: { x: number; label: string; color: string }[];
  /** Horizontal budget lines. */
  budgets?: { value: number; label: string }[];
}

export const COLORS = {
  p50: '#1976d2',
  p95: '#d32f2f',
  p99: '#7b1fa2',
  rps: '#2e7d32',
  errors: '#c62828',
  cpu: '#f57c00',
  rss: '#6d4c41',
  heap: '#00897b',
  live: '#8e24aa',
  loop: '#546e7a',
  vus: '#455a64',
  before: '#90a4ae',
  after: '#1565c0',
} as const;

export const VERDICT_COLORS: Record<string, string> = {
  improved: '#2e7d32',
  regressed: '#c62828',
  same: '#9e9e9e',
  unknown: '#f9a825',
};
