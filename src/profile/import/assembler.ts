import {
  Profile,
  type Frame,
  type FrameKind,
  type ProfileMeta,
  type ProfileUnit,
} from '../../core/profile.js';
import { Float64Vec, Int32Vec } from './typed-vec.js';

/**
 * Builds a Profile the way ProfileBuilder does (frames deduplicated, a call tree of (parent, frame) nodes,
 * samples), tuned for importers that create millions of nodes and samples: nodes are found through an
 * open-addressing hash table over typed arrays (no Map of boxed number keys, no garbage per lookup), and samples
 * go to growable typed arrays.
 */
export class ProfileAssembler {
  private readonly frames: Frame[] = [];
  private readonly frameIds = new Map<string, number>();
  private nodeFrame = new Int32Vec(4096);
  private nodeParent = new Int32Vec(4096);
  /** Hash slots holding node id + 1 (0 = empty). */
  private slots = new Int32Array(1 << 13);
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
    options: { timed?: boolean } = {},
  ) {
    if (options.timed) this.times = new Float64Vec(4096);
  }

  /** Kept so importers written against ProfileBuilder read the same (`a.b.frame`, `a.b.node`). */
  get b(): this {
    return this;
  }

  get sampleCount(): number {
    return this.nodes.length;
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
    const mask = this.slots.length - 1;
    for (let i = ProfileAssembler.hash(parent, frame) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i];
      if (s === 0) {
        const id = this.nodeFrame.length;
        this.nodeFrame.push(frame);
        this.nodeParent.push(parent);
        this.slots[i] = id + 1;
        if (id * 2 > mask) this.grow();
        return id;
      }
      if (this.nodeParent.get(s - 1) === parent && this.nodeFrame.get(s - 1) === frame) return s - 1;
    }
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.nodeFrame.length; id++) {
      let i = ProfileAssembler.hash(this.nodeParent.get(id), this.nodeFrame.get(id)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
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

  build(meta: Partial<ProfileMeta> = {}): Profile {
    const lines = this.groupLines();
    return new Profile(
      { ...this.meta, ...meta },
      this.unit,
      this.frames,
      this.nodeFrame.toArray(),
      this.nodeParent.toArray(),
      this.nodes.toArray(),
      this.weights.toArray(),
      this.times?.toArray(),
      lines,
    );
  }
}
