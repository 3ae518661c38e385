/**
 * Conformance of perfloop's heap retained sizes against memlab's (@memlab/heap-analysis), node by node, on
 * real snapshots of every benchmark shape (bench/heap-shapes/generate.ts, small sizes, written to a temp
 * folder): `node dist/bench/conformance-memory.js [--units 20000]`. Exit 0 when they agree.
 *
 * Agreement means: perfloop's dominator search under memlab's edge rules gives memlab's retained size for
 * every node. perfloop's reported sizes follow Chrome DevTools' rules instead; where those differ from
 * memlab's, the table counts the nodes and gives the reason (memlab's page-owned flags and WeakMap rule,
 * see heap-shapes/memlab-rules.ts) — a difference of rules, not a disagreement.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHeapGraph } from '../src/memory/snapshot/load.js';
import { SHAPES } from './heap-shapes/generate.js';
import { memlabAnalysis } from './heap-shapes/measure.js';
import { retainedUnderMemlabRules } from './heap-shapes/memlab-rules.js';

export interface ShapeConformance {
  shape: string;
  nodes: number;
  /** Nodes whose retained size under memlab's rules differs from memlab's: disagreements. */
  disagreements: Array<{ id: number; perfloop: number; memlab: number }>;
  disagreementCount: number;
  /** Nodes whose DevTools-rule size (what perfloop reports) differs from memlab's, explained by the rules. */
  ruleDifferences: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/** memlab prints a progress line per phase and snapshot; its config has a switch for that. */
function muteMemlab(): void {
  try {
    const core = createRequire(join(here, '..', '..', 'package.json'))('@memlab/core') as { config?: { muteConsole?: boolean } };
    if (core.config) core.config.muteConsole = true;
  } catch {
    // an install without @memlab/core at the top level: the progress lines stay
  }
}

/** Generates each shape at `units`, compares, and returns one row per shape (memlab must be installed). */
export async function heapConformance(shapes: readonly string[], units: number): Promise<ShapeConformance[]> {
  const memlab = memlabAnalysis();
  if (!memlab) throw new Error('memlab is not installed (PUPPETEER_SKIP_DOWNLOAD=1 npm i -D memlab)');
  muteMemlab();
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-conformance-memory-'));
  const rows: ShapeConformance[] = [];
  try {
    for (const shape of shapes) {
      const base = join(dir, shape);
      execFileSync(process.execPath, [join(here, 'heap-shapes', 'generate.js'), shape, String(units), base], { timeout: 120_000 });
      const file = `${base}-0.heapsnapshot`;
      const g = await loadHeapGraph(file);
      const ours = retainedUnderMemlabRules(g);
      const heap = await memlab.getFullHeapFromFile(file);
      const row: ShapeConformance = { shape, nodes: g.nodeCount, disagreements: [], disagreementCount: 0, ruleDifferences: 0 };
      let i = 0;
      heap.nodes.forEach((m) => {
        if (m.id !== g.id(i) || m.retainedSize !== ours[i]) {
          row.disagreementCount++;
          if (row.disagreements.length < 20) row.disagreements.push({ id: m.id, perfloop: ours[i], memlab: m.retainedSize });
        } else if (m.retainedSize !== g.retainedSize(i)) row.ruleDifferences++;
        i++;
      });
      if (heap.nodes.length !== g.nodeCount) row.disagreementCount += Math.abs(heap.nodes.length - g.nodeCount);
      rows.push(row);
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { units: { type: 'string', default: '20000' }, shapes: { type: 'string', default: Object.keys(SHAPES).join(',') } } });
  const rows = await heapConformance(String(values.shapes).split(','), Number(values.units));
  const lines = ['| shape | nodes | retained size = memlab (same rules) | DevTools-rule sizes ≠ memlab (reason) |', '|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.shape} | ${r.nodes} | ${r.disagreementCount === 0 ? 'every node' : `${r.disagreementCount} nodes differ`} | ${r.ruleDifferences} nodes: perfloop reports DevTools' sizes — a Map's table charged to the Map, page-owned flags from the global objects (memlab: from the GC roots), WeakMap values held by their key alone |`);
  }
  const bad = rows.filter((r) => r.disagreementCount > 0);
  for (const r of bad) for (const d of r.disagreements) lines.push(`disagreement: ${r.shape} @${d.id}: perfloop ${d.perfloop}, memlab ${d.memlab} (same edge rules: the dominator searches differ)`);
  lines.push('', bad.length === 0 ? `agreement: ${rows.length}/${rows.length} shapes` : `DISAGREEMENT on ${bad.length} of ${rows.length} shapes`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = bad.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await main();
  process.exit(process.exitCode ?? 0);
}
