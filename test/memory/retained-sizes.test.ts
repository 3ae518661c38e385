import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/load/url-template.js';
import { classAggregates } from '../../src/memory/class-aggregates.js';
import type { HeapGraph } from '../../src/memory/graph/heap-graph.js';
import { loadHeapGraph } from '../../src/memory/snapshot/load.js';
import { tempDir } from '../helpers.js';
import { snapshotsOf } from './heap-fixtures.js';

interface Snap {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/**
 * An independent, deliberately plain reading of DevTools' retention rules, straight from JSON.parse: adjacency
 * lists, the rules written out as one predicate, ownership by brute-force search, and retained size by its
 * definition — what becomes unreachable from the root when the node is taken away.
 */
function naive(s: Snap) {
  const m = s.snapshot.meta;
  const NF = m.node_fields.length;
  const EF = m.edge_fields.length;
  const nt = m.node_types[0];
  const et = m.edge_types[0];
  const f = (name: string) => m.node_fields.indexOf(name);
  const n = s.nodes.length / NF;
  const type = (i: number) => nt[s.nodes[i * NF + f('type')]];
  const id = (i: number) => s.nodes[i * NF + f('id')];
  const out: Array<Array<{ type: string; name: string | number; to: number }>> = [];
  let e = 0;
  for (let i = 0; i < n; i++) {
    const list = [];
    for (let k = 0; k < s.nodes[i * NF + f('edge_count')]; k++, e += EF) {
      const t = et[s.edges[e]];
      list.push({ type: t, name: t === 'element' || t === 'hidden' ? s.edges[e + 1] : s.strings[s.edges[e + 1]], to: s.edges[e + 2] / NF });
    }
    out.push(list);
  }
  const root = 0;
  // Page-owned: reachable from the root's shortcut targets over non-weak edges.
  const owned = new Set<number>();
  const todo = out[root].filter((x) => x.type === 'shortcut').map((x) => x.to);
  todo.forEach((x) => owned.add(x));
  while (todo.length) {
    for (const x of out[todo.pop()!]) {
      if (x.type === 'weak' || owned.has(x.to)) continue;
      owned.add(x.to);
      todo.push(x.to);
    }
  }
  const essential = (from: number, x: { type: string; name: string | number; to: number }) => {
    if (x.type === 'weak' || x.to === from) return false;
    const wm = x.type === 'internal' && typeof x.name === 'string' ? /pair in WeakMap \(table @(\d+)\)$/.exec(x.name) : null;
    if (wm && Number(wm[1]) === id(from)) return false;
    if (from !== root && (x.type === 'shortcut' || (owned.has(x.to) && !owned.has(from)))) return false;
    return true;
  };
  // Shallow sizes: an array/hidden node reached (through array/hidden nodes only) from exactly one other
  // node is charged to it, unless that one is synthetic.
  const self = Array.from({ length: n }, (_, i) => s.nodes[i * NF + f('self_size')]);
  const inner = (i: number) => type(i) === 'hidden' || type(i) === 'array';
  const owners: Array<Set<number>> = Array.from({ length: n }, () => new Set());
  for (let o = 0; o < n; o++) {
    if (inner(o)) continue;
    const seen = new Set<number>();
    const stack = [o];
    while (stack.length) {
      for (const x of out[stack.pop()!]) {
        if (x.type === 'weak' || !inner(x.to) || seen.has(x.to)) continue;
        seen.add(x.to);
        const own = owners[x.to];
        if (own.size >= 2) continue; // shared already, and so is all below it
        own.add(o);
        stack.push(x.to);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (owners[i].size !== 1) continue;
    const [o] = owners[i];
    if (type(o) === 'synthetic') continue;
    self[o] += self[i];
    self[i] = 0;
  }
  const reachableWithout = (removed: number) => {
    const seen = new Uint8Array(n);
    seen[root] = 1;
    const queue = [root];
    for (let h = 0; h < queue.length; h++) {
      const from = queue[h];
      for (const x of out[from]) {
        if (seen[x.to] || x.to === removed || !essential(from, x)) continue;
        seen[x.to] = 1;
        queue.push(x.to);
      }
    }
    return seen;
  };
  const retained = (v: number) => {
    const seen = reachableWithout(v);
    let sum = 0;
    for (let i = 0; i < n; i++) if (!seen[i]) sum += self[i];
    return sum;
  };
  return { n, self, retained, everythingReachable: reachableWithout(-1).every((x) => x === 1) };
}

async function check(file: string, samples: number) {
  const g = await loadHeapGraph(file);
  const ref = naive(JSON.parse(readFileSync(file, 'utf8')) as Snap);
  assert.equal(g.nodeCount, ref.n);
  assert.ok(ref.everythingReachable, 'fixture snapshots have no unreachable nodes');
  assert.equal(g.data.unreachable, 0);
  for (let i = 0; i < g.nodeCount; i++) if (g.selfSize(i) !== ref.self[i]) assert.fail(`shallow size of node ${i} (${g.className(i)}): ${g.selfSize(i)} ≠ ${ref.self[i]}`);
  assert.equal(g.totalSize, ref.self.reduce((a, b) => a + b, 0));
  // The biggest retainers and a seeded random sample of everything else.
  const byRetained = Array.from({ length: g.nodeCount }, (_, i) => i)
    .filter((i) => i !== g.root)
    .sort((a, b) => g.retainedSize(b) - g.retainedSize(a));
  const rnd = seededRandom(42);
  const picks = new Set(byRetained.slice(0, 25));
  while (picks.size < samples) picks.add(1 + Math.floor(rnd() * (g.nodeCount - 1)));
  for (const v of picks) {
    const want = ref.retained(v);
    if (g.retainedSize(v) !== want) assert.fail(`retained size of node ${v} (${g.className(v)} @${g.id(v)}): ${g.retainedSize(v)} ≠ ${want}`);
  }
  return g;
}

test('retained sizes agree with the definition, computed independently, on real Node snapshots', async () => {
  const [, , leak] = await snapshotsOf('unbounded-collection');
  const g = await check(leak, 120);
  // The cache Map retains its table and every Session in it.
  const map = [...Array(g.nodeCount).keys()].filter((i) => g.className(i) === 'Map').sort((a, b) => g.retainedSize(b) - g.retainedSize(a))[0];
  assert.ok(g.retainedSize(map) > 1100 * 48, `Map retains ${g.retainedSize(map)}`);
  const [first] = await snapshotsOf('closure-leak');
  await check(first, 80);
});

test('class retained size counts nested instances once', async () => {
  const [, , file] = await snapshotsOf('global-growth');
  const g: HeapGraph = await loadHeapGraph(file);
  const agg = classAggregates(g).find((c) => c.name === '{action, note, previous}')!;
  // A linked list: the head dominates every other link, so the list counts once, through its head.
  const cls = '{action, note, previous}';
  const all = [...Array(g.nodeCount).keys()].filter((i) => g.className(i) === cls && g.selfSize(i) > 0);
  const nested = (i: number) => {
    for (let d = g.dominatorOf(i); d !== g.root; d = g.dominatorOf(d)) if (g.className(d) === cls) return true;
    return false;
  };
  const tops = all.filter((i) => !nested(i));
  assert.ok(tops.length < 5 && all.length > 1000, `${tops.length} of ${all.length} not nested`);
  assert.equal(agg.count, all.length);
  assert.equal(agg.retainedSize, tops.reduce((s, i) => s + g.retainedSize(i), 0));
  assert.equal(agg.selfSize, all.reduce((s, i) => s + g.selfSize(i), 0));
});

/** A hand-made snapshot that exercises each of DevTools' edge rules. */
test('weak edges, shortcuts, WeakMap tables and non-owned retainers do not retain', async () => {
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
    node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic']],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak']],
  };
  const strings = ['', 'global', 'A', 'B', 'C', 'D', 'x', 'y', 'K', 'V', 'T', '(GC roots)', 'H', '1 / part of key (K @9) -> value (V @11) pair in WeakMap (table @13)'];
  // ord: 0 root, 1 global, 2 A, 3 B, 4 C, 5 (GC roots), 6 D, 7 H, 8 K(id 9), 9 V(id 11), 10 T(id 13)
  const N = (type: number, name: number, id: number, size: number, edges: number) => [type, name, id, size, edges];
  const nodes = [
    ...N(9, 0, 1, 0, 2), // root → global (shortcut), (GC roots) (element)
    ...N(3, 1, 3, 10, 4), // global: .a → A, .b → B, weak → C, .t → T
    ...N(3, 2, 5, 100, 2), // A: .x → D, shortcut → C (ignored below the root)
    ...N(3, 3, 7, 200, 2), // B: .y → D, .k → K
    ...N(3, 4, 15, 300, 0), // C: only weak / shortcut retainers → orphan, hangs off the root
    ...N(9, 11, 17, 0, 1), // (GC roots) → H
    ...N(3, 5, 19, 400, 0), // D: from A and B → dominated by global
    ...N(3, 12, 21, 50, 1), // H (not page-owned) → A: ignored, A stays under global
    ...N(3, 8, 9, 20, 1), // K → V (key half of the ephemeron)
    ...N(3, 9, 11, 30, 0), // V
    ...N(3, 10, 13, 40, 1), // T → V (table half: ignored)
  ];
  const E = (type: number, name: number, to: number) => [type, name, to * 5];
  const edges = [
    ...E(5, 1, 1), ...E(1, 1, 5),
    ...E(2, 6, 2), ...E(2, 7, 3), ...E(6, 4, 4), ...E(2, 10, 10),
    ...E(2, 6, 6), ...E(5, 4, 4),
    ...E(2, 7, 6), ...E(2, 8, 8),
    ...E(1, 0, 7),
    ...E(2, 6, 2),
    ...E(3, 13, 9),
    ...E(3, 13, 9),
  ];
  const file = join(tempDir(), 'rules.heapsnapshot');
  writeFileSync(file, JSON.stringify({ snapshot: { meta, node_count: nodes.length / 5, edge_count: edges.length / 3 }, nodes, edges, strings }));
  const g = await loadHeapGraph(file);
  const dom = (ord: number) => g.dominatorOf(ord);
  assert.equal(dom(2), 1, 'A: the non-owned H → A edge is ignored');
  assert.equal(dom(6), 1, 'D: retained by A and B, so by global');
  assert.equal(dom(4), 0, 'C: weak and shortcut retainers only → hangs off the root');
  assert.equal(dom(9), 8, 'V: its WeakMap table edge is ignored, the key retains it');
  assert.equal(g.retainedSize(8), 50, 'K retains itself and V');
  assert.equal(g.retainedSize(3), 200 + 50, 'B retains itself and K (+V)');
  assert.equal(g.totalSize, 10 + 100 + 200 + 300 + 400 + 50 + 20 + 30 + 40);
});
