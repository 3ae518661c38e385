import type { Tags } from '../../core/metric.js';

/**
 * A metric as a threshold names it: `http_req_duration`, or a sub-metric selected by tags,
 * `http_req_duration{name:login,status:200}` (k6's syntax). A tag value runs to the next comma and may itself
 * contain colons (`group:::checkout`); surrounding quotes are dropped.
 */
export interface MetricRef {
  name: string;
  tags: Tags;
  /** As written, normalised (the key of the result). */
  key: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseMetricRef(text: string): MetricRef {
  const s = text.trim();
  const brace = s.indexOf('{');
  if (brace < 0) {
    if (!NAME.test(s)) throw new Error(`invalid metric name ${JSON.stringify(s)}`);
    return { name: s, tags: {}, key: s };
  }
  const name = s.slice(0, brace).trim();
  if (!NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  if (!s.endsWith('}')) throw new Error(`sub-metric ${JSON.stringify(s)} lacks its closing "}"`);
  const inner = s.slice(brace + 1, -1).trim();
  if (inner === '') throw new Error(`sub-metric ${JSON.stringify(s)} has no tags`);
  const tags: Record<string, string> = {};
  for (const part of inner.split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new Error(`sub-metric tag ${JSON.stringify(part.trim())} is not key:value`);
    const key = part.slice(0, colon).trim();
    const value = part
      .slice(colon + 1)
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2');
    tags[key] = value;
  }
  return { name, tags, key: s };
}
