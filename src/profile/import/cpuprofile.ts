/**
 * V8 CPU profile (`.cpuprofile`: Node `--cpu-prof`, Chrome DevTools, the inspector's Profiler.stop).
 * Format: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile — nodes form a tree
 * (children by id), `samples[i]` is the leaf node of sample i and `timeDeltas[i]` the µs since the previous one.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile } from '../../core/profile.js';

interface V8CallFrame {
  functionName: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
}

interface V8Node {
  id: number;
  callFrame: V8CallFrame;
  hitCount?: number;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

export interface V8CpuProfile {
  nodes: V8Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const PSEUDO: Record<string, FrameKind> = {
  '(root)': 'root',
  '(idle)': 'idle',
  '(program)': 'program',
  '(garbage collector)': 'gc',
};

export function looksLikeCpuProfile(json: unknown): json is V8CpuProfile {
  const j = json as V8CpuProfile;
  return !!j && Array.isArray(j.nodes) && (j.nodes.length === 0 || typeof j.nodes[0]?.callFrame === 'object');
}

function fileOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
}

export function importCpuProfile(json: unknown, source = 'cpuprofile'): Profile {
  if (!looksLikeCpuProfile(json)) {
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${source}: not a V8 cpuprofile (expected "nodes" with "callFrame")`);
  }
  const b = new ProfileBuilder({ format: 'cpuprofile', name: source }, 'us', { timed: true });
  const byId = new Map<number, V8Node>();
  const parentOf = new Map<number, number>();
  for (const n of json.nodes) {
    if (typeof n.id !== 'number' || !n.callFrame) throw new PerfloopError('PROFILE_BAD_FORMAT', `${source}: node without id or callFrame`);
    byId.set(n.id, n);
    for (const c of n.children ?? []) parentOf.set(c, n.id);
  }
  // Our node for each V8 node, created parents first (iteratively: stacks can be 10,000 deep).
  const ourNode = new Map<number, number>();
  const resolve = (id: number): number => {
    const chain: number[] = [];
    for (let cur: number | undefined = id; cur !== undefined && !ourNode.has(cur); cur = parentOf.get(cur)) chain.push(cur);
    for (let i = chain.length - 1; i >= 0; i--) {
      const v = byId.get(chain[i]);
      if (!v) throw new PerfloopError('PROFILE_BAD_FORMAT', `${source}: sample refers to unknown node ${chain[i]}`);
      const parentId = parentOf.get(chain[i]);
      const parent = parentId === undefined ? -1 : ourNode.get(parentId)!;
      const kind = PSEUDO[v.callFrame.functionName] ?? 'code';
      if (kind === 'root') {
        ourNode.set(chain[i], -1); // (root) is the tree's top, not a frame
        continue;
      }
      const cf = v.callFrame;
      const frame = b.frame({
        name: cf.functionName || '(anonymous)',
        file: fileOf(cf.url),
        line: cf.lineNumber !== undefined && cf.lineNumber >= 0 ? cf.lineNumber + 1 : undefined,
        col: cf.columnNumber !== undefined && cf.columnNumber >= 0 ? cf.columnNumber + 1 : undefined,
        kind,
      });
      const node = b.node(parent, frame);
      ourNode.set(chain[i], node);
      for (const pt of v.positionTicks ?? []) b.addLineWeight(node, pt.line, pt.ticks);
    }
    return ourNode.get(id)!;
  };

  const samples = json.samples ?? [];
  const deltas = json.timeDeltas ?? [];
  if (samples.length > 0) {
    // Absolute times; Chrome can emit negative deltas (samples out of order), so sort by time when needed.
    const times = new Float64Array(samples.length);
    let t = 0;
    let ordered = true;
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i] ?? 0;
      times[i] = t;
      if (i > 0 && times[i] < times[i - 1]) ordered = false;
    }
    const order = Array.from(samples.keys());
    if (!ordered) order.sort((a, c) => times[a] - times[c] || a - c);
    const end = Math.max(json.endTime - json.startTime, times[order[order.length - 1]]);
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      const next = k + 1 < order.length ? times[order[k + 1]] : end;
      b.sample(resolve(samples[i]), Math.max(0, next - times[i]), times[i]);
    }
  } else {
    // Some producers keep only hitCount: spread the profile's duration over the hits.
    const hits = json.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    const per = hits > 0 ? Math.max(0, json.endTime - json.startTime) / hits || 1 : 1;
    for (const n of json.nodes) if (n.hitCount) b.sample(resolve(n.id), n.hitCount * per);
  }
  return b.build();
}
