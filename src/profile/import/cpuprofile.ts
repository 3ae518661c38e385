/**
 * V8 CPU profile (`.cpuprofile`: Node `--cpu-prof`, Chrome DevTools, the inspector's Profiler.stop).
 * Format: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile — nodes form a tree
 * (children by id), `samples[i]` is the leaf node of sample i and `timeDeltas[i]` the µs since the previous one.
 * Files stream (json-stream.ts): a 500 MB profile is read member by member, never as one string.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, Profile, type FrameKind } from '../../core/profile.js';
import { scanJson } from './json-stream.js';
import type { ProfileSource } from './source.js';
import { Float64Vec, Int32Vec } from '../../core/typed-vec.js';
import type { ImportOptions, ProfileImporter } from './types.js';

export interface V8CallFrame {
  functionName: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
}

export interface V8Node {
  id: number;
  callFrame: V8CallFrame;
  hitCount?: number;
  children?: number[];
  /** Chrome trace ProfileChunk nodes name their parent instead of their children. */
  parent?: number;
  positionTicks?: { line: number; ticks: number }[];
}

export interface V8CpuProfile {
  nodes: V8Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export const V8_PSEUDO_FRAMES: Record<string, FrameKind> = {
  '(root)': 'root',
  '(idle)': 'idle',
  '(program)': 'program',
  '(garbage collector)': 'gc',
};

export function looksLikeCpuProfile(json: unknown): json is V8CpuProfile {
  const j = json as V8CpuProfile;
  return !!j && Array.isArray(j.nodes) && (j.nodes.length === 0 || typeof j.nodes[0]?.callFrame === 'object');
}

export function fileOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (!url.startsWith('file://')) return url;
  try {
    return decodeURIComponent(url.slice(7));
  } catch {
    return url.slice(7);
  }
}

export interface V8Samples {
  startTime: number;
  endTime: number;
  samples: ArrayLike<number>;
  timeDeltas: ArrayLike<number>;
}

/**
 * Turns V8 nodes into perfloop nodes as they arrive (a streamed file never holds its node objects): a node whose
 * parent is known becomes a tree node at once; the rare node listed before its parent waits until the end.
 * Parents are known from the parent's `children` (cpuprofile) or the node's own `parent` (Chrome trace chunks).
 */
export class V8TreeBuilder {
  private ourDense: Int32Array = new Int32Array(1024).fill(UNSEEN);
  private parentDense: Int32Array = new Int32Array(1024).fill(NO_PARENT);
  private readonly ourSparse = new Map<number, number>();
  private readonly parentSparse = new Map<number, number>();
  private pending: V8Node[] = [];
  private count = 0;
  /** URL → file: decoding a URL per node costs, and a profile has few distinct scripts. */
  private readonly files = new Map<string, string | undefined>();
  /** Nodes with a hitCount, for profiles without a samples array. */
  readonly hits: [number, number][] = [];

  constructor(
    readonly asm: ProfileBuilder,
    private readonly where: string,
  ) {}

  ourOf(id: number): number {
    return id >= 0 && id < DENSE_LIMIT
      ? id < this.ourDense.length
        ? this.ourDense[id]
        : UNSEEN
      : (this.ourSparse.get(id) ?? UNSEEN);
  }

  private setOur(id: number, v: number): void {
    if (id >= 0 && id < DENSE_LIMIT) {
      if (id >= this.ourDense.length) this.ourDense = grow(this.ourDense, id, UNSEEN);
      this.ourDense[id] = v;
    } else this.ourSparse.set(id, v);
  }

  private parentOf(id: number): number {
    return id >= 0 && id < DENSE_LIMIT
      ? id < this.parentDense.length
        ? this.parentDense[id]
        : NO_PARENT
      : (this.parentSparse.get(id) ?? NO_PARENT);
  }

  private setParent(id: number, parent: number): void {
    if (id >= 0 && id < DENSE_LIMIT) {
      if (id >= this.parentDense.length) this.parentDense = grow(this.parentDense, id, NO_PARENT);
      this.parentDense[id] = parent;
    } else this.parentSparse.set(id, parent);
  }

  add(n: V8Node): void {
    const index = this.count++;
    if (typeof n?.id !== 'number' || !n.callFrame || typeof n.callFrame !== 'object') {
      throw new PerfloopError(
        'PROFILE_BAD_FORMAT',
        `${this.where}: nodes[${index}] has no numeric "id" or no "callFrame"`,
      );
    }
    if (typeof n.parent === 'number') this.setParent(n.id, n.parent);
    if (n.children) for (const c of n.children) this.setParent(c, n.id);
    if (!this.tryCreate(n)) this.pending.push(n);
  }

  private tryCreate(n: V8Node): boolean {
    const parentId = this.parentOf(n.id);
    const parent = parentId === NO_PARENT ? -1 : this.ourOf(parentId);
    if (parent === UNSEEN) return false;
    const cf = n.callFrame;
    const kind = V8_PSEUDO_FRAMES[cf.functionName] ?? 'code';
    if (kind === 'root') {
      this.setOur(n.id, parent); // (root) is the tree's top, not a frame
      return true;
    }
    const frame = this.asm.frame({
      name: cf.functionName || '(anonymous)',
      file: this.fileOf(cf.url),
      line: cf.lineNumber !== undefined && cf.lineNumber >= 0 ? cf.lineNumber + 1 : undefined,
      col: cf.columnNumber !== undefined && cf.columnNumber >= 0 ? cf.columnNumber + 1 : undefined,
      kind,
    });
    const node = this.asm.node(parent, frame);
    this.setOur(n.id, node);
    if (n.positionTicks) for (const pt of n.positionTicks) this.asm.addLineWeight(node, pt.line, pt.ticks);
    if (n.hitCount) this.hits.push([node, n.hitCount]);
    return true;
  }

  private fileOf(url: string | undefined): string | undefined {
    if (!url) return undefined;
    let f = this.files.get(url);
    if (f === undefined && !this.files.has(url)) this.files.set(url, (f = fileOfUrl(url)));
    return f;
  }

  /** What finish() repaired. */
  readonly warnings: string[] = [];

  /**
   * Creates the nodes that came before their parents. A node whose parent never came (Chrome 141 writes such
   * traces) or that sits in a cycle is attached at the top of the tree with a warning, as speedscope does: its
   * samples are kept, only the callers above it are unknown.
   */
  finish(): void {
    let repaired = 0;
    let first = '';
    while (this.pending.length > 0) {
      const left = this.pending.filter((n) => !this.tryCreate(n));
      if (left.length === this.pending.length) {
        const n = left[0];
        if (repaired++ === 0) first = `node ${n.id} → parent ${this.parentOf(n.id)}`;
        this.setParent(n.id, NO_PARENT);
      }
      this.pending = left;
    }
    if (repaired > 0)
      this.warnings.push(
        `${repaired} node(s) name a parent that is not in the profile (first: ${first}); attached at the top of the tree`,
      );
  }
}

const UNSEEN = -2;
const NO_PARENT = -2147483648;
/** Ids below this are looked up in typed arrays; V8 numbers nodes from 1 upwards. */
const DENSE_LIMIT = 1 << 26;

function grow(a: Int32Array, index: number, fill: number): Int32Array {
  const next = new Int32Array(Math.max(index + 1, a.length * 2)).fill(fill);
  next.set(a);
  return next;
}

/**
 * The samples of a V8 profile onto its tree: weights are the time to the next sample (the last one runs to
 * endTime), in time order, since Chrome can emit negative deltas.
 */
export function assembleV8Samples(tree: V8TreeBuilder, s: V8Samples): Profile {
  tree.finish();
  const base = tree.asm.build(tree.warnings.length ? { warnings: tree.warnings } : {});
  const count = s.samples.length;
  if (count === 0) {
    // Some producers keep only hitCount: spread the profile's duration over the hits.
    const hits = tree.hits.reduce((sum, h) => sum + h[1], 0);
    const per = hits > 0 ? Math.max(0, s.endTime - s.startTime) / hits || 1 : 1;
    const kept = tree.hits.filter((h) => h[0] >= 0);
    return new Profile(
      base.meta,
      'us',
      base.frames,
      base.nodeFrame,
      base.nodeParent,
      Int32Array.from(kept, (h) => h[0]),
      Float64Array.from(kept, (h) => h[1] * per),
      undefined,
      base.lineWeights,
    );
  }
  const times = new Float64Array(count);
  let t = 0;
  let ordered = true;
  for (let i = 0; i < count; i++) {
    t += s.timeDeltas[i] ?? 0;
    times[i] = t;
    if (i > 0 && t < times[i - 1]) ordered = false;
  }
  const order = ordered ? null : timeOrder(times);
  const sampleNode = new Int32Array(count);
  const sampleWeight = new Float64Array(count);
  const sampleTime = new Float64Array(count);
  const last = order ? order[count - 1] : count - 1;
  const end = Math.max(s.endTime - s.startTime, times[last]);
  let kept = 0;
  let unknown = 0;
  let firstUnknown = '';
  for (let k = 0; k < count; k++) {
    const i = order ? order[k] : k;
    const node = tree.ourOf(s.samples[i]);
    if (node === UNSEEN) {
      // A truncated or damaged profile: the sample's stack is not there, its time is not charged to anything.
      if (unknown++ === 0) firstUnknown = `samples[${i}] → node ${s.samples[i]}`;
      continue;
    }
    if (node < 0) continue; // a sample of (root) itself
    const next = k + 1 < count ? times[order ? order[k + 1] : k + 1] : end;
    sampleNode[kept] = node;
    sampleWeight[kept] = Math.max(0, next - times[i]);
    sampleTime[kept] = times[i];
    kept++;
  }
  if (unknown === count)
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${base.meta.name}: ${base.meta.format}: every sample refers to a node not in the profile (${firstUnknown})`,
    );
  const warnings = [...(base.meta.warnings ?? [])];
  if (unknown > 0)
    warnings.push(
      `${unknown} sample(s) refer to nodes not in the profile (first: ${firstUnknown}); left out`,
    );
  return new Profile(
    {
      ...base.meta,
      startedAt: s.startTime > 1e14 ? Math.round(s.startTime / 1000) : undefined,
      ...(warnings.length ? { warnings } : {}),
    },
    'us',
    base.frames,
    base.nodeFrame,
    base.nodeParent,
    kept === count ? sampleNode : sampleNode.slice(0, kept),
    kept === count ? sampleWeight : sampleWeight.slice(0, kept),
    kept === count ? sampleTime : sampleTime.slice(0, kept),
    base.lineWeights,
  );
}

/**
 * Sample indices by time. Chrome's out-of-order samples are few and local, so an insertion sort is linear in
 * practice; if the input turns out to be badly shuffled, a full sort takes over.
 */
export function timeOrder(times: Float64Array): Uint32Array {
  const n = times.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let moves = 0;
  for (let i = 1; i < n; i++) {
    const x = order[i];
    const t = times[x];
    let j = i - 1;
    while (j >= 0 && times[order[j]] > t) {
      order[j + 1] = order[j];
      j--;
      if (++moves > 16 * n + 1024) return order.sort((a, b) => times[a] - times[b] || a - b);
    }
    order[j + 1] = x;
  }
  return order;
}

/** The Profile of V8 nodes and samples, shared by the .cpuprofile and Chrome trace importers. */
export function buildV8Profile(
  nodes: readonly V8Node[],
  s: V8Samples,
  format: string,
  source: string,
): Profile {
  const tree = new V8TreeBuilder(new ProfileBuilder({ format, name: source }, 'us'), `${source}: ${format}`);
  for (const n of nodes) tree.add(n);
  return assembleV8Samples(tree, s);
}

/** From an already parsed profile (what the inspector returns). */
export function importCpuProfile(json: unknown, source = 'cpuprofile'): Profile {
  if (!looksLikeCpuProfile(json)) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${source}: not a V8 cpuprofile (expected "nodes" with "callFrame")`,
    );
  }
  return buildV8Profile(
    json.nodes,
    {
      startTime: json.startTime ?? 0,
      endTime: json.endTime ?? 0,
      samples: json.samples ?? [],
      timeDeltas: json.timeDeltas ?? [],
    },
    'cpuprofile',
    source,
  );
}

/** From a file, streamed: nodes become tree nodes as they are read, samples and deltas go to typed arrays. */
export async function importCpuProfileSource(
  src: ProfileSource,
  options: ImportOptions = {},
): Promise<Profile> {
  const where = `${src.name}: cpuprofile`;
  const tree = new V8TreeBuilder(new ProfileBuilder({ format: 'cpuprofile', name: src.name }, 'us'), where);
  const samples = new Int32Vec(1 << 16);
  const deltas = new Float64Vec(1 << 16);
  const timestamps = new Float64Vec(1024);
  let startTime = 0;
  let endTime = 0;
  let sawNodes = false;
  let headTree = false;
  await scanJson(
    src,
    {
      mode: (key) =>
        key === 'nodes'
          ? 'elements'
          : key === 'samples' || key === 'timeDeltas' || key === 'timestamps'
            ? 'numbers'
            : key === 'startTime' || key === 'endTime' || key === 'head'
              ? 'value'
              : 'skip',
      element: (_key, v, index) => {
        if (
          index === 0 &&
          (typeof v !== 'object' || v === null || typeof (v as V8Node).callFrame !== 'object')
        ) {
          throw new PerfloopError(
            'PROFILE_BAD_FORMAT',
            `${where}: not a V8 cpuprofile (expected "nodes" with "callFrame")`,
          );
        }
        sawNodes = true;
        tree.add(v as V8Node);
      },
      number: (key, n) =>
        key === 'samples' ? samples.push(n) : key === 'timestamps' ? timestamps.push(n) : deltas.push(n),
      value: (key, v) => {
        if (key === 'head' && v && typeof v === 'object') {
          sawNodes = headTree = true;
          for (const n of flattenHeadTree(v as OldV8Node)) tree.add(n);
        } else if (key === 'startTime') startTime = Number(v) || 0;
        else if (key === 'endTime') endTime = Number(v) || 0;
        else if (key === 'nodes' && Array.isArray(v)) sawNodes = true;
      },
    },
    where,
    options.progress,
  );
  if (!sawNodes)
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: not a V8 cpuprofile (expected "nodes" with "callFrame")`,
    );
  if (headTree) {
    // Node ≤ 10: start and end in seconds, absolute sample timestamps in µs instead of deltas.
    startTime *= 1e6;
    endTime *= 1e6;
    const ts = timestamps.view();
    const d = new Float64Array(ts.length);
    for (let i = 0; i < ts.length; i++) d[i] = ts[i] - (i === 0 ? startTime : ts[i - 1]);
    return assembleV8Samples(tree, { startTime, endTime, samples: samples.view(), timeDeltas: d });
  }
  return assembleV8Samples(tree, { startTime, endTime, samples: samples.view(), timeDeltas: deltas.view() });
}

/** A node of the old (Node ≤ 10, Chrome < 58) `.cpuprofile`: the call frame's fields on the node, children nested. */
interface OldV8Node {
  id?: number;
  functionName?: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
  hitCount?: number;
  children?: OldV8Node[];
}

/** The `head` tree as today's flat node list (children by id), iteratively: the tree can be deep. */
function flattenHeadTree(head: OldV8Node): V8Node[] {
  const out: V8Node[] = [];
  const stack: OldV8Node[] = [head];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const children = Array.isArray(n.children) ? n.children.filter((c) => c && typeof c === 'object') : [];
    out.push({
      id: Number(n.id),
      // Old profiles number lines from 1, today's callFrame from 0.
      callFrame: {
        functionName: String(n.functionName ?? ''),
        url: n.url,
        lineNumber: typeof n.lineNumber === 'number' && n.lineNumber > 0 ? n.lineNumber - 1 : n.lineNumber,
        columnNumber: n.columnNumber,
      },
      hitCount: n.hitCount,
      children: children.map((c) => Number(c.id)),
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

export const cpuprofileImporter: ProfileImporter = {
  format: 'cpuprofile',
  fileName: /\.cpuprofile(\.gz)?$/i,
  sniff: (_head, text) =>
    (/^\s*\{/.test(text) && /"nodes"\s*:/.test(text) && /"callFrame"\s*:/.test(text)) ||
    (/^\s*\{\s*"head"\s*:/.test(text) && /"functionName"\s*:/.test(text) && !/"selfSize"\s*:/.test(text)),
  importFrom: importCpuProfileSource,
};
