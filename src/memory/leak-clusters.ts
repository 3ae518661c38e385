import type { HeapGraph } from './graph/heap-graph.js';
import { retainedOfSet } from './retained-set.js';
import { pathDepth, pathSignatures, retainerPath } from './retainer-path.js';

export interface LeakCluster {
  /** Shortest retainer path of the cluster's example object. */
  path: string;
  /** Objects in the cluster: new objects under the same kind of path. */
  count: number;
  /** What the cluster's top objects retain (bytes). */
  retainedSize: number;
  /** Most common classes among the cluster's objects. */
  classes: Array<{ name: string; count: number }>;
  /** V8 id of the example object (search it in DevTools with @id). */
  sampleId: number;
}

const MAX_CLUSTERS = 10;

/**
 * Objects allocated between two snapshots (JS ids in (afterId, upToId]) that are still alive in `g`, grouped
 * by the shape of their retainer path: each new object is attributed to its topmost new ancestor on the
 * shortest-path tree, and those tops are clustered by path signature — 10,000 sessions under
 * `sessions.table[…]` are one cluster with one example path. O(n) plus O(n) per reported cluster (≤ 10) for
 * what it retains.
 */
export function leakClusters(g: HeapGraph, afterId: number, upToId: number): LeakCluster[] {
  const T = g.L.node;
  const visible = new Set([T.object, T.closure, T.regexp, T.string, T.consString, T.slicedString, T.number, T.bigint, T.symbol]);
  const member = new Uint8Array(g.nodeCount);
  for (let n = 0; n < g.nodeCount; n++) {
    const id = g.id(n);
    if (id % 2 === 1 && id > afterId && id <= upToId && visible.has(g.type(n)) && g.data.parentNode[n] >= 0) member[n] = 1;
  }
  const { parentNode } = g.data;
  // top[n]: the topmost new ancestor of a new object (path-compressed walk up the shortest-path tree).
  const top = new Int32Array(g.nodeCount).fill(-1);
  const chain: number[] = [];
  for (let n = 0; n < g.nodeCount; n++) {
    if (!member[n] || top[n] >= 0) continue;
    let cur = n;
    chain.length = 0;
    while (top[cur] < 0) {
      const p = parentNode[cur];
      if (p < 0 || !member[p]) {
        top[cur] = cur;
        break;
      }
      chain.push(cur);
      cur = p;
    }
    const t = top[cur];
    for (const c of chain) top[c] = t;
  }
  interface Acc {
    count: number;
    self: number;
    tops: number[];
    members: number[];
    classes: Map<string, number>;
  }
  const bySig = new Map<number, Acc>();
  const signatureOf = pathSignatures(g);
  const accOfTop = new Map<number, Acc>();
  for (let n = 0; n < g.nodeCount; n++) {
    if (!member[n]) continue;
    const t = top[n];
    let acc = accOfTop.get(t);
    if (!acc) {
      const key = signatureOf(parentNode[t]);
      acc = bySig.get(key);
      if (!acc) bySig.set(key, (acc = { count: 0, self: 0, tops: [], members: [], classes: new Map() }));
      acc.tops.push(t);
      accOfTop.set(t, acc);
    }
    acc.count++;
    acc.self += g.selfSize(n);
    acc.members.push(n);
    const cls = g.className(n);
    acc.classes.set(cls, (acc.classes.get(cls) ?? 0) + 1);
  }
  // The biggest clusters by their own size, then what each retains as a whole (members dominated by other
  // members counted once; a doubly linked list of timers retains little per node but much together).
  const biggest = [...bySig.values()].sort((x, y) => y.self - x.self || y.count - x.count).slice(0, MAX_CLUSTERS);
  const clusters = biggest.map((a) => {
    const set = new Uint8Array(g.nodeCount);
    for (const n of a.members) set[n] = 1;
    return { a, retained: retainedOfSet(g, set) };
  });
  clusters.sort((x, y) => y.retained - x.retained || y.a.count - x.a.count);
  return clusters.map(({ a, retained }) => {
    let sample = a.tops[0];
    let depth = pathDepth(g, sample);
    for (const t of a.tops) {
      const d = pathDepth(g, t);
      if (d < depth) {
        sample = t;
        depth = d;
      }
    }
    return {
      path: retainerPath(g, sample).text,
      count: a.count,
      retainedSize: retained,
      classes: [...a.classes.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 3)
        .map(([name, count]) => ({ name, count })),
      sampleId: g.id(sample),
    };
  });
}
