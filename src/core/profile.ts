import { release } from './recycled-memory.js';
import { Float64Vec, Int32Vec } from './typed-vec.js';

/**
 * The one profile model every importer produces and every analyser and renderer consumes (the idea of
 * speedscope's `Profile`): a table of frames, a call tree of nodes (each a frame under a parent node), and
 * samples — a leaf node and a weight each, in time order when the format has time. Immutable once built.
 */
export type ProfileUnit = 'ns' | 'us' | 'ms' | 'bytes' | 'samples' | 'count';

/** What a frame is, when the profiler says so: V8 marks idle time, GC and (program) with pseudo-frames. */
export type FrameKind = 'code' | 'idle' | 'gc' | 'program' | 'root';

export interface Frame {
  readonly name: string;
  readonly file?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly col?: number;
  readonly kind: FrameKind;
}

export interface ProfileMeta {
  /** e.g. 'cpuprofile', 'folded', 'pprof'. */
  readonly format: string;
  readonly name?: string;
  /** Wall-clock start of the profile, epoch ms, when known. */
  readonly startedAt?: number;
  /** What the importer repaired or left out (a missing parent, a second event, a truncated file), one line each. */
  readonly warnings?: readonly string[];
}

export class Profile {
  constructor(
    readonly meta: ProfileMeta,
    readonly unit: ProfileUnit,
    readonly frames: readonly Frame[],
    /** nodeFrame[n]: frame index of node n. */
    readonly nodeFrame: Int32Array,
    /** nodeParent[n]: parent node of n, or -1 for a root-level node. */
    readonly nodeParent: Int32Array,
    /** sampleNode[i]: leaf node of sample i. */
    readonly sampleNode: Int32Array,
    /** sampleWeight[i]: weight of sample i in `unit`. */
    readonly sampleWeight: Float64Array,
    /** sampleTime[i]: start of sample i in `unit` since the profile's start, when the format has time. */
    readonly sampleTime: Float64Array | undefined,
    /** Line-level self weight per node (V8 positionTicks): node → [line, weight] pairs. */
    readonly lineWeights: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>,
    /**
     * Per node, the occurrences of its frame on its path root..node, when the importer recorded them while
     * building the tree (core/path-cursor.ts); else the analysers compute them with a walk of the tree.
     */
    readonly knownRepeats?: Int32Array,
  ) {}

  get nodeCount(): number {
    return this.nodeFrame.length;
  }

  get sampleCount(): number {
    return this.sampleNode.length;
  }

  /** Sum of all sample weights. */
  get totalWeight(): number {
    let t = 0;
    for (let i = 0; i < this.sampleWeight.length; i++) t += this.sampleWeight[i];
    return t;
  }

  /** Frame indices of a node's stack, root first. Iterative: stacks can be 10,000 deep. */
  stackOf(node: number): number[] {
    const out: number[] = [];
    for (let n = node; n >= 0; n = this.nodeParent[n]) out.push(this.nodeFrame[n]);
    return out.reverse();
  }

  frameOf(node: number): Frame {
    return this.frames[this.nodeFrame[node]];
  }
}

/**
 * Children of a parent found by walking its list of children while it has at most this many; a wider parent's
 * children go to a hash table. Most nodes of a call tree have one or two children.
 */
const LIST_CHILDREN = 8;
const WIDE = 255; // childCount value of a parent whose children are in the hash table

/**
 * Builds a Profile: frames deduplicated, a call tree of (parent, frame) nodes, samples. Tuned for importers that
 * create millions of nodes and samples (a 70 MB folded file of 100-frame stacks makes 1.5 million nodes).
 *
 * Child lookup is hand-written rather than a Map because it is the core of import speed: a Map keyed by
 * (parent, frame) needs a string or a boxed number per lookup and scatters its entries over the heap. Here each
 * parent keeps a singly linked list of its children in typed arrays (firstChild, nextSibling), walked while the
 * parent has ≤ LIST_CHILDREN children — a new node's own child list is empty, so building a deep stack touches
 * only memory just written, where a hash table touches a random slot per node and rehashes them all as it grows.
 * A parent with more children than that (a root with thousands of callees) moves its children into an
 * open-addressing hash table over (parent, frame), so no list is ever walked longer than LIST_CHILDREN.
 * Samples go to growable typed arrays.
 */
export class ProfileBuilder {
  private readonly frames: Frame[] = [];
  private readonly frameIds = new Map<string, number>();
  private capacity = 4096;
  private count = 0;
  private nodeFrame = new Int32Array(this.capacity);
  private nodeParent = new Int32Array(this.capacity);
  /** Per node: the next child of the same parent, as node id + 1 (0 = none). */
  private nextSibling = new Int32Array(this.capacity);
  /** Indexed by parent + 1 (0 = the root level): the first child, as node id + 1 (0 = none). */
  private firstChild = new Int32Array(this.capacity + 1);
  /** Indexed by parent + 1: how many children, or WIDE when they are in the hash table. */
  private childCount = new Uint8Array(this.capacity + 1);
  /** Hash slots for the children of wide parents, holding node id + 1 (0 = empty). */
  private slots = new Int32Array(1 << 10);
  private inSlots = 0;
  /** Set by build(): no node can be added after (the child lookup's memory is reused elsewhere). */
  private built = false;
  private readonly nodes = new Int32Vec(4096);
  private readonly weights = new Float64Vec(4096);
  private readonly times: Float64Vec | undefined;
  /** Line weights as (node, line, weight) triples; grouped per node only in build(). */
  private readonly lwNode = new Int32Vec(1024);
  private readonly lwLine = new Int32Vec(1024);
  private readonly lwWeight = new Float64Vec(1024);

  constructor(
    private readonly meta: ProfileMeta,
    private readonly unit: ProfileUnit,
    options: {
      timed?: boolean;
      /**
       * How many nodes the importer expects at most (e.g. from the file's size). Reserved up front: the pages of
       * a large typed array are only faulted in when written, so an over-estimate costs address space, not
       * memory, while growing by doubling writes every node again into fresh pages at each step.
       */
      expectedNodes?: number;
    } = {},
  ) {
    if (options.timed) this.times = new Float64Vec(4096);
    const expected = Math.min(Math.max(options.expectedNodes ?? 0, 0), 1 << 24);
    if (expected > this.capacity) {
      this.capacity = expected;
      this.nodeFrame = new Int32Array(expected);
      this.nodeParent = new Int32Array(expected);
      this.nextSibling = new Int32Array(expected);
      this.firstChild = new Int32Array(expected + 1);
      this.childCount = new Uint8Array(expected + 1);
    }
  }

  get sampleCount(): number {
    return this.nodes.length;
  }

  /** Nodes made so far (the next new node gets this id). */
  get nodeCount(): number {
    return this.count;
  }

  /** Index of a frame, deduplicated by name, file, line, column and kind. */
  frame(f: Omit<Frame, 'kind'> & { kind?: FrameKind }): number {
    const kind = f.kind ?? 'code';
    const key = `${f.name}\u0000${f.file ?? ''}\u0000${f.line ?? ''}\u0000${f.col ?? ''}\u0000${kind}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ name: f.name, file: f.file || undefined, line: f.line, col: f.col, kind });
      this.frameIds.set(key, id);
    }
    return id;
  }

  private static hash(parent: number, frame: number): number {
    return (Math.imul(parent + 1, 0x9e3779b1) ^ Math.imul(frame, 0x85ebca77)) >>> 0;
  }

  /** The node for `frame` under `parent` (-1 for root level), created on first use. */
  node(parent: number, frame: number): number {
    if (this.built) throw new Error('ProfileBuilder.node() after build(): its child lookup was handed on');
    const p1 = parent + 1;
    const children = this.childCount[p1];
    if (children === WIDE) return this.wideChild(parent, frame);
    const nodeFrame = this.nodeFrame;
    const nextSibling = this.nextSibling;
    for (let c = this.firstChild[p1]; c !== 0; c = nextSibling[c - 1])
      if (nodeFrame[c - 1] === frame) return c - 1;
    const id = this.add(parent, frame);
    this.nextSibling[id] = this.firstChild[p1];
    this.firstChild[p1] = id + 1;
    if (children < LIST_CHILDREN) this.childCount[p1] = children + 1;
    else {
      // One child too many for a list: all of them go to the hash table.
      this.childCount[p1] = WIDE;
      for (let c = this.firstChild[p1]; c !== 0; c = this.nextSibling[c - 1]) this.toSlots(c - 1);
    }
    return id;
  }

  private wideChild(parent: number, frame: number): number {
    const mask = this.slots.length - 1;
    for (let i = ProfileBuilder.hash(parent, frame) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i];
      if (s === 0) {
        const id = this.add(parent, frame);
        this.slots[i] = id + 1;
        if (++this.inSlots * 2 > mask) this.rehash();
        return id;
      }
      if (this.nodeParent[s - 1] === parent && this.nodeFrame[s - 1] === frame) return s - 1;
    }
  }

  private toSlots(id: number): void {
    const mask = this.slots.length - 1;
    let i = ProfileBuilder.hash(this.nodeParent[id], this.nodeFrame[id]) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = id + 1;
    if (++this.inSlots * 2 > mask) this.rehash();
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (let k = 0; k < old.length; k++) {
      const s = old[k];
      if (s === 0) continue;
      let i = ProfileBuilder.hash(this.nodeParent[s - 1], this.nodeFrame[s - 1]) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = s;
    }
  }

  private add(parent: number, frame: number): number {
    const id = this.count;
    if (id === this.capacity) this.growNodes();
    this.nodeFrame[id] = frame;
    this.nodeParent[id] = parent;
    this.count = id + 1;
    return id;
  }

  private growNodes(): void {
    const cap = this.capacity * 2;
    const grown = <T extends Int32Array | Uint8Array>(a: T, n: number): T => {
      const next = (a instanceof Uint8Array ? new Uint8Array(n) : new Int32Array(n)) as T;
      next.set(a);
      return next;
    };
    this.nodeFrame = grown(this.nodeFrame, cap);
    this.nodeParent = grown(this.nodeParent, cap);
    this.nextSibling = grown(this.nextSibling, cap);
    this.firstChild = grown(this.firstChild, cap + 1);
    this.childCount = grown(this.childCount, cap + 1);
    this.capacity = cap;
  }

  /** The leaf node of a stack of frame indices given root first (-1 for an empty stack). */
  stack(framesRootFirst: ArrayLike<number>): number {
    let n = -1;
    for (let i = 0; i < framesRootFirst.length; i++) n = this.node(n, framesRootFirst[i]);
    return n;
  }

  sample(node: number, weight: number, time?: number): void {
    if (node < 0) return; // an empty stack carries no frame to charge
    this.nodes.push(node);
    this.weights.push(weight);
    this.times?.push(time ?? 0);
  }

  addLineWeight(node: number, line: number, weight: number): void {
    this.lwNode.push(node);
    this.lwLine.push(line);
    this.lwWeight.push(weight);
  }

  /** Line weights per node, same lines summed, heaviest line first. */
  private groupLines(): Map<number, Array<readonly [number, number]>> {
    const n = this.lwNode.length;
    const nodes = this.lwNode.view();
    const lines = this.lwLine.view();
    const weights = this.lwWeight.view();
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (nodes[i] < nodes[i - 1]) sorted = false;
    let order: Uint32Array | null = null;
    if (!sorted) {
      order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => nodes[a] - nodes[b] || a - b);
    }
    const at = (k: number) => (order ? order[k] : k);
    const out = new Map<number, Array<readonly [number, number]>>();
    for (let k = 0; k < n;) {
      const first = at(k);
      const node = nodes[first];
      if (k + 1 >= n || nodes[at(k + 1)] !== node) {
        out.set(node, [[lines[first], weights[first]]]); // the common case: one line
        k++;
        continue;
      }
      const byLine = new Map<number, number>();
      for (; k < n && nodes[at(k)] === node; k++) {
        const i = at(k);
        byLine.set(lines[i], (byLine.get(lines[i]) ?? 0) + weights[i]);
      }
      out.set(
        node,
        [...byLine.entries()].sort((a, c) => c[1] - a[1]),
      );
    }
    return out;
  }

  /** `repeats`: per node, its frame's occurrences on its path, when the importer recorded them (path-cursor.ts). */
  build(meta: Partial<ProfileMeta> = {}, repeats?: Int32Array): Profile {
    const lines = this.groupLines();
    // The child lookup is done with: its memory goes to the analysers' per-node arrays (core/recycled-memory.ts).
    this.built = true;
    release(this.nextSibling.buffer);
    release(this.firstChild.buffer);
    this.nextSibling = this.firstChild = new Int32Array(0);
    this.childCount = new Uint8Array(0);
    this.slots = new Int32Array(0);
    return new Profile(
      { ...this.meta, ...meta },
      this.unit,
      this.frames,
      // Views, not copies: the builder never rewrites a node, and a copy of millions of nodes costs its pages.
      this.nodeFrame.subarray(0, this.count),
      this.nodeParent.subarray(0, this.count),
      this.nodes.toArray(),
      this.weights.toArray(),
      this.times?.toArray(),
      lines,
      repeats?.length === this.count ? repeats : undefined,
    );
  }
}
