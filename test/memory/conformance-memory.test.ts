import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapConformance } from '../../bench/conformance-memory.js';
import { SHAPES } from '../../bench/heap-shapes/generate.js';
import { memlabAnalysis } from '../../bench/heap-shapes/measure.js';

test("retained sizes: perfloop's dominator search equals memlab's node by node on real snapshots of the benchmark shapes (conformance)", async (t) => {
  if (!memlabAnalysis()) return t.skip('memlab is not installed (PUPPETEER_SKIP_DOWNLOAD=1 npm i -D memlab)');
  // Half the shapes, one of each graph structure (chain, fan-out, closures/contexts, hash tables, a mix of
  // all): memlab's parse is most of the time and the suite runs on busy machines. The runner does all ten.
  const shapes = ['deep-list', 'wide-fanout', 'closures', 'map-set', 'mixed'];
  assert.ok(shapes.every((s) => s in SHAPES));
  const rows = await heapConformance(shapes, 1000);
  assert.equal(rows.length, shapes.length);
  for (const r of rows) {
    assert.equal(r.disagreementCount, 0, `${r.shape}: ${JSON.stringify(r.disagreements.slice(0, 3))}`);
    // perfloop reports DevTools' sizes, which memlab's rules do not follow: the check is only meaningful if
    // those rules change something.
    assert.ok(r.ruleDifferences > 0, r.shape);
  }
});
