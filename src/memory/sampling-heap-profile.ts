/**
 * V8 sampling heap profile (`.heapprofile`: the inspector's HeapProfiler.stopSampling, Chrome DevTools'
 * "Allocation sampling", the perfloop agent's stopHeapSampling). Format:
 * https://chromedevtools.github.io/devtools-protocol/tot/HeapProfiler/#type-SamplingHeapProfile —
 * `head` is a call tree of {callFrame, selfSize, id, children}; selfSize is the bytes sampled as allocated
 * by that frame itself (already scaled by V8 to estimate the total). `samples` lists individual samples
 * (size, nodeId, ordinal) when present.
 *
 * The result is a core Profile in bytes — one weighted sample per tree node with allocations — so the same
 * flame graph code draws allocations as draws CPU time.
 */
import { PerfloopError } from '../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile } from '../core/profile.js';

interface CallFrame {
  functionName: string;
  scriptId?: string | number;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
}

interface SamplingNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children?: SamplingNode[];
}

export interface SamplingHeapProfile {
  head: SamplingNode;
  samples?: Array<{ size: number; nodeId: number; ordinal: number }>;
}

const PSEUDO: Record<string, FrameKind> = {
  '(root)': 'root',
  '(idle)': 'idle',
  '(program)': 'program',
  '(garbage collector)': 'gc',
  '(GC)': 'gc',
  '(V8 API)': 'program',
};

export function looksLikeSamplingHeapProfile(json: unknown): json is SamplingHeapProfile {
  const h = (json as SamplingHeapProfile | undefined)?.head;
  return !!h && typeof h === 'object' && typeof h.callFrame === 'object' && typeof h.selfSize === 'number';
}

function fileOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
}

export function importSamplingHeapProfile(json: unknown, source = 'heapprofile'): Profile {
  if (!looksLikeSamplingHeapProfile(json)) {
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${source}: not a V8 sampling heap profile (expected "head" with "callFrame" and "selfSize")`);
  }
  const b = new ProfileBuilder({ format: 'heapprofile', name: source }, 'bytes');
  // Iterative walk: allocation stacks can be thousands of frames deep.
  const stack: Array<{ node: SamplingNode; parent: number }> = [{ node: json.head, parent: -1 }];
  while (stack.length > 0) {
    const { node, parent } = stack.pop()!;
    if (!node || typeof node !== 'object' || !node.callFrame) throw new PerfloopError('PROFILE_BAD_FORMAT', `${source}: a node without callFrame`);
    const cf = node.callFrame;
    const kind = PSEUDO[cf.functionName] ?? 'code';
    let ours = parent;
    if (kind !== 'root') {
      const frame = b.frame({
        name: cf.functionName || '(anonymous)',
        file: fileOf(cf.url),
        line: cf.lineNumber !== undefined && cf.lineNumber >= 0 ? cf.lineNumber + 1 : undefined,
        col: cf.columnNumber !== undefined && cf.columnNumber >= 0 ? cf.columnNumber + 1 : undefined,
        kind,
      });
      ours = b.node(parent, frame);
      if (node.selfSize > 0) b.sample(ours, node.selfSize);
    }
    const kids = node.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], parent: ours });
  }
  return b.build();
}
