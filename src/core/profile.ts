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

const FRAME_KEY_SEP = '\u0000';
/** Node keys pack (parent, frame) into one number; 2^26 frames and 2^27 nodes stay below 2^53. */
const FRAME_SPACE = 0x4000000;

export class ProfileBuilder {
  private readonly frames: Frame[] = [];
  private readonly frameIds = new Map<string, number>();
  private nodeFrame: number[] = [];
  private nodeParent: number[] = [];
  private readonly children = new Map<number, number>();
  private sampleNode: number[] = [];
  private sampleWeight: number[] = [];
  private sampleTime: number[] | undefined;
  private readonly lineWeights = new Map<number, Map<number, number>>();

  constructor(
    private readonly meta: ProfileMeta,
    private readonly unit: ProfileUnit,
    options: { timed?: boolean } = {},
  ) {
    if (options.timed) this.sampleTime = [];
  }

  /** Index of a frame, deduplicated by name, file, line, column and kind. */
  frame(f: Omit<Frame, 'kind'> & { kind?: FrameKind }): number {
    const kind = f.kind ?? 'code';
    const key = [f.name, f.file ?? '', f.line ?? '', f.col ?? '', kind].join(FRAME_KEY_SEP);
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ name: f.name, file: f.file || undefined, line: f.line, col: f.col, kind });
      this.frameIds.set(key, id);
    }
    return id;
  }

  /** The node for `frame` under `parent` (-1 for root level), created on first use. */
  node(parent: number, frame: number): number {
    if (frame >= FRAME_SPACE) throw new Error('profile has too many distinct frames');
    const key = (parent + 1) * FRAME_SPACE + frame;
    let id = this.children.get(key);
    if (id === undefined) {
      id = this.nodeFrame.length;
      this.nodeFrame.push(frame);
      this.nodeParent.push(parent);
      this.children.set(key, id);
    }
    return id;
  }

  /** The leaf node of a stack of frame indices given root first. */
  stack(framesRootFirst: ArrayLike<number>): number {
    let n = -1;
    for (let i = 0; i < framesRootFirst.length; i++) n = this.node(n, framesRootFirst[i]);
    return n;
  }

  sample(node: number, weight: number, time?: number): void {
    if (node < 0) return; // an empty stack carries no frame to charge
    this.sampleNode.push(node);
    this.sampleWeight.push(weight);
    if (this.sampleTime) this.sampleTime.push(time ?? 0);
  }

  addLineWeight(node: number, line: number, weight: number): void {
    let m = this.lineWeights.get(node);
    if (!m) this.lineWeights.set(node, (m = new Map()));
    m.set(line, (m.get(line) ?? 0) + weight);
  }

  build(): Profile {
    const lines = new Map<number, Array<readonly [number, number]>>();
    for (const [node, m] of this.lineWeights) lines.set(node, [...m.entries()].sort((a, b) => b[1] - a[1]));
    const profile = new Profile(
      this.meta,
      this.unit,
      this.frames,
      Int32Array.from(this.nodeFrame),
      Int32Array.from(this.nodeParent),
      Int32Array.from(this.sampleNode),
      Float64Array.from(this.sampleWeight),
      this.sampleTime ? Float64Array.from(this.sampleTime) : undefined,
      lines,
    );
    // A builder builds once: drop the working arrays so a big profile is not held twice.
    this.nodeFrame = [];
    this.nodeParent = [];
    this.sampleNode = [];
    this.sampleWeight = [];
    this.sampleTime = undefined;
    return profile;
  }
}
