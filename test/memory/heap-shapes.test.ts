import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeapGraph } from '../../src/memory/graph/heap-graph.js';
import { diffHeapSnapshots } from '../../src/memory/heap-diff.js';
import { summariseHeap } from '../../src/memory/heap-summary.js';
import { pathDepth, retainerPath } from '../../src/memory/retainer-path.js';
import { loadHeapGraph } from '../../src/memory/snapshot/load.js';

const generator = resolve(dirname(fileURLToPath(import.meta.url)), '../../bench/heap-shapes/generate.js');
let dir = '';
const LIST = 40_000;

/** Real snapshots of the benchmark's own shape programs, small: `shape-0.heapsnapshot` … */
function snapshots(shape: string, units: number, rounds = 1): string[] {
  const base = join(dir, `${shape}-${units}x${rounds}`);
  execFileSync(process.execPath, [generator, shape, String(units), base, String(rounds)], { timeout: 60_000 });
  return Array.from({ length: rounds }, (_, r) => `${base}-${r}.heapsnapshot`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfloop-heap-shapes-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The rule largestRetainers applies, the slow way: walk each candidate's whole dominator chain. */
function naiveLargest(g: HeapGraph, top: number): number[] {
  const T = g.L.node;
  const interesting = new Set([T.object, T.closure, T.native, T.regexp, T.string, T.consString]);
  const candidates: number[] = [];
  for (let n = 0; n < g.nodeCount; n++) {
    if (n !== g.root && interesting.has(g.type(n)) && g.retainedSize(n) >= g.totalSize / 2000 && !g.className(n).startsWith('system /')) candidates.push(n);
  }
  candidates.sort((a, b) => g.retainedSize(b) - g.retainedSize(a) || a - b);
  const picked = new Set<number>();
  const out: number[] = [];
  for (const n of candidates) {
    if (out.length >= top) break;
    let shadowed = false;
    for (let d = g.dominatorOf(n); d !== g.root && !shadowed; d = g.dominatorOf(d)) shadowed = picked.has(d) && g.retainedSize(n) >= 0.9 * g.retainedSize(d);
    if (shadowed) continue;
    picked.add(n);
    out.push(n);
  }
  return out;
}

test('deep chain: the largest retainers are those of the chain-walking rule, paths collapse the list, depths are exact', async () => {
  const [file] = snapshots('deep-list', LIST);
  const g = await loadHeapGraph(file);
  const s = summariseHeap(g, { top: 10 });
  assert.deepEqual(
    s.largestRetainers.map((r) => r.id),
    naiveLargest(g, 10).map((n) => g.id(n)),
  );
  const head = s.largestRetainers[0];
  assert.ok(head.retainedSize >= LIST * 40, `the list head retains the list: ${head.retainedSize} bytes`);
  assert.match(head.path, /heapShapeKeep/);
  // Further rows lie down the same list: the path collapses its links into one step with a count.
  assert.ok(s.largestRetainers.some((r) => /\.next ×\d{3,}/.test(r.path)), s.largestRetainers.map((r) => r.path).join('\n'));
  // The tail of the list: its depth by the index equals the number of edges walked from the root.
  // The list's first link: the object with a `next` that retains most; then follow `next` to the end.
  let tail = -1;
  for (let n = 0; n < g.nodeCount; n++) if (g.child(n, 'next') >= 0 && (tail < 0 || g.retainedSize(n) > g.retainedSize(tail))) tail = n;
  for (let next = g.child(tail, 'next'); next >= 0 && g.type(next) === g.L.node.object; next = g.child(tail, 'next')) tail = next;
  let walked = 0;
  for (let cur = tail; cur !== g.root && g.data.parentNode[cur] >= 0; cur = g.data.parentNode[cur]) walked++;
  assert.ok(walked > LIST, `tail depth ${walked}`);
  assert.equal(pathDepth(g, tail), walked);
  assert.equal(retainerPath(g, tail).depth, walked);
  assert.ok(s.timings.parseMs > 0 && s.timings.dominatorsMs >= 0 && s.timings.analysisMs > 0, JSON.stringify(s.timings));
});

test('deep chain growing between two snapshots: diff clusters the new links under one path and names the global', async () => {
  const files = snapshots('deep-list', LIST / 2, 2);
  const d = await diffHeapSnapshots(files);
  assert.ok(d.leaks.length > 0, 'a leak cluster');
  const biggest = d.leaks[0];
  assert.ok(biggest.count >= LIST / 2, `cluster of ${biggest.count}`);
  assert.match(biggest.path, /heapShapeKeep/);
  assert.ok(
    d.findings.some((f) => f.rule === 'memory.global-growth' && JSON.stringify(f.evidence).includes('heapShapeKeep')),
    d.findings.map((f) => f.title).join('\n'),
  );
  assert.ok(d.timings.parseMs > 0, JSON.stringify(d.timings));
});
