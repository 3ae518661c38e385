import { createHash } from 'node:crypto';
import type { MetricSet } from '../../core/metric-set.js';
import type { RateSink } from '../../core/metric.js';

/**
 * k6's group tree with its checks, rebuilt from the `checks` series (tags `group` = `::a::b`, `check`): what
 * the legacy `--summary-export` and `handleSummary`'s `root_group` hold. Ids are k6's: the md5 of the
 * path (a group's `::a::b`, a check's `::a::b::name`; the root's path is '' → d41d8cd9…).
 */
export interface CheckNode {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface GroupNode {
  name: string;
  path: string;
  id: string;
  groups: GroupNode[];
  checks: CheckNode[];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export function groupTree(metrics: MetricSet): GroupNode {
  const root: GroupNode = { name: '', path: '', id: md5(''), groups: [], checks: [] };
  const groupAt = (path: string): GroupNode => {
    if (path === '') return root;
    let g = root;
    let p = '';
    for (const name of path.split('::').slice(1)) {
      p += `::${name}`;
      let child = g.groups.find((c) => c.name === name);
      if (!child) g.groups.push((child = { name, path: p, id: md5(p), groups: [], checks: [] }));
      g = child;
    }
    return g;
  };
  for (const s of metrics.seriesOf('checks')) {
    const g = groupAt(s.tags.group ?? '');
    const name = s.tags.check ?? '';
    let c = g.checks.find((x) => x.name === name);
    if (!c) {
      const path = `${g.path}::${name}`;
      g.checks.push((c = { name, path, id: md5(path), passes: 0, fails: 0 }));
    }
    const r = s.sink as RateSink;
    c.passes += r.passes;
    c.fails += r.total - r.passes;
  }
  // Groups that made requests but ran no check are groups too.
  for (const name of ['group_duration', 'http_reqs'])
    for (const s of metrics.has(name) ? metrics.seriesOf(name) : []) if (s.tags.group) groupAt(s.tags.group);
  return root;
}

/** The legacy export's form: groups and checks as objects keyed by name. */
export function keyedGroup(g: GroupNode): Record<string, unknown> {
  return {
    name: g.name,
    path: g.path,
    id: g.id,
    groups: Object.fromEntries(g.groups.map((c) => [c.name, keyedGroup(c)])),
    checks: Object.fromEntries(g.checks.map((c) => [c.name, c])),
  };
}
