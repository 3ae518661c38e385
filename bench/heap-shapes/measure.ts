/**
 * One heap-analysis measurement in a fresh process, so that peak RSS (VmHWM from /proc, worker threads
 * included) is that tool's alone: `node dist/bench/heap-shapes/measure.js TOOL [--dump FILE] SNAPSHOT…`
 * prints one JSON line { ms, peakMb, classes }. The timer covers parse + analysis inside the process, not
 * Node's start-up.
 *  - perfloop: `summariseHeapFile` (the `perfloop heap summary` code path), or `diffHeapSnapshots` for
 *    `perfloop-diff` with two or more files;
 *  - memlab: `getFullHeapFromFile` (parse, dominators, retained sizes) then the same per-constructor
 *    aggregation (count, self size, retained size) perfloop's summary starts with.
 * --dump FILE writes, after the timer stops, every node's id and retained size (ordinal order, as in the
 * file) as two arrays: Uint32 ids then Float64 sizes — for the retained-size comparison of the two tools
 * (perfloop's over V8's raw self sizes, as memlab counts them; see rawRetained), and beside it (FILE.memlab-rules)
 * perfloop's dominator search under memlab's edge rules (see memlab-rules.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeapGraph } from '../../src/memory/graph/heap-graph.js';
import { retainedUnderMemlabRules } from './memlab-rules.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Measure {
  ms: number;
  peakMb: number;
  classes: number;
}

interface MemlabNode {
  id: number;
  name: string;
  self_size: number;
  retainedSize: number;
}
interface MemlabHeap {
  nodes: { length: number; forEach(cb: (n: MemlabNode) => void): void };
}

/** memlab's heap analysis package: a devDependency, or installed under bench/peers. */
export function memlabAnalysis(): { getFullHeapFromFile(f: string): Promise<MemlabHeap> } | undefined {
  for (const base of [repoRoot, join(repoRoot, 'bench', 'peers')]) {
    if (!existsSync(join(base, 'node_modules', '@memlab', 'heap-analysis'))) continue;
    return createRequire(join(base, 'package.json'))('@memlab/heap-analysis') as ReturnType<typeof memlabAnalysis>;
  }
  return undefined;
}

export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function writeDump(file: string, ids: Uint32Array, retained: Float64Array): void {
  writeFileSync(file, Buffer.concat([Buffer.from(new Uint32Array([ids.length]).buffer), Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength), Buffer.from(retained.buffer, retained.byteOffset, retained.byteLength)]));
}

/** Reads a --dump file back. */
export function readDump(file: string): { ids: Uint32Array; retained: Float64Array } {
  const b = readFileSync(file);
  const n = b.readUInt32LE(0);
  const copy = new Uint8Array(b.subarray(4)).buffer;
  return { ids: new Uint32Array(copy, 0, n), retained: new Float64Array(copy.slice(4 * n), 0, n) };
}

/**
 * Retained sizes over perfloop's dominator tree with V8's own self sizes — what memlab sums (perfloop's
 * reported sizes charge a Map's table or an object's property array to its owner, as DevTools does, which
 * moves bytes between nodes without changing the tree). O(n): children before parents in reverse pre-order.
 */
function rawRetained(g: HeapGraph): Float64Array {
  const out = Float64Array.from(g.data.rawSize);
  const t = g.dominatorIndex();
  for (let i = t.reached - 1; i > 0; i--) {
    const n = t.order[i];
    out[g.dominatorOf(n)] += out[n];
  }
  return out;
}

async function run(tool: string, files: string[], dump: string | undefined): Promise<void> {
  const t0 = performance.now();
  let classes: number;
  let dumpIt: (() => void) | undefined;
  if (tool === 'perfloop' || tool === 'perfloop-diff') {
    if (tool === 'perfloop-diff') {
      const { diffHeapSnapshots } = await import('../../src/memory/heap-diff.js');
      classes = (await diffHeapSnapshots(files)).growing.length;
    } else {
      const { loadHeapGraph } = await import('../../src/memory/snapshot/load.js');
      const { summariseHeap } = await import('../../src/memory/heap-summary.js');
      const g = await loadHeapGraph(files[0]);
      classes = summariseHeap(g).byConstructor.length;
      dumpIt = () => {
        writeDump(dump!, g.data.nodeId, rawRetained(g));
        writeDump(`${dump!}.memlab-rules`, g.data.nodeId, retainedUnderMemlabRules(g));
      };
    }
  } else {
    const memlab = memlabAnalysis();
    if (!memlab) throw new Error('memlab is not installed (PUPPETEER_SKIP_DOWNLOAD=1 npm i -D memlab)');
    const heap = await memlab.getFullHeapFromFile(files[0]);
    const agg = new Map<string, { count: number; self: number; retained: number }>();
    heap.nodes.forEach((n) => {
      const a = agg.get(n.name) ?? { count: 0, self: 0, retained: 0 };
      a.count++;
      a.self += n.self_size;
      a.retained += n.retainedSize;
      agg.set(n.name, a);
    });
    classes = agg.size;
    dumpIt = () => {
      const ids = new Uint32Array(heap.nodes.length);
      const retained = new Float64Array(heap.nodes.length);
      let i = 0;
      heap.nodes.forEach((n) => {
        ids[i] = n.id;
        retained[i++] = n.retainedSize;
      });
      writeDump(dump!, ids, retained);
    };
  }
  const ms = Math.round(performance.now() - t0);
  const peakMb = peakRssMb();
  if (dump && dumpIt) dumpIt();
  process.stdout.write(`\n${JSON.stringify({ ms, peakMb, classes } satisfies Measure)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const tool = args.shift()!;
  let dump: string | undefined;
  if (args[0] === '--dump') {
    args.shift();
    dump = args.shift();
  }
  await run(tool, args, dump);
  process.exit(0);
}
