/**
 * k6/metrics: perfloop's custom metrics with k6's tagging — every sample also carries the VU's scenario,
 * group and `exec.vu.tags`, as k6 adds them.
 */
import * as api from '../../script/api.js';
import { cur } from '../runtime.js';

const withVuTags = (tags?: Record<string, string>): Record<string, string> => {
  const vu = cur;
  if (!vu) return tags ?? {};
  return { ...vu.scenarioTags, ...vu.tags, scenario: vu.scenario, group: vu.group, ...(tags ?? {}) };
};

export class Trend extends api.Trend {
  override add(value: number | boolean, tags?: Record<string, string>): void {
    super.add(value, withVuTags(tags));
  }
}
export class Counter extends api.Counter {
  override add(value: number | boolean, tags?: Record<string, string>): void {
    super.add(value, withVuTags(tags));
  }
}
export class Rate extends api.Rate {
  override add(value: number | boolean, tags?: Record<string, string>): void {
    super.add(value, withVuTags(tags));
  }
}
export class Gauge extends api.Gauge {
  override add(value: number | boolean, tags?: Record<string, string>): void {
    super.add(value, withVuTags(tags));
  }
}
export default { Trend, Counter, Rate, Gauge };
