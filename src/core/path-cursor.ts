import type { ProfileBuilder } from './profile.js';

/**
 * Builds a profile's call tree along one moving root-to-leaf path, the way stack-per-line importers meet their
 * input: each stack keeps the first `d` frames of the one before (`truncate(d)`) and pushes the rest (`push`).
 * Because the path is at hand, how often a new node's frame occurs on its path (its recursion, which the
 * per-frame totals and the recursion rules need) is known when the node is created, and is recorded then, in
 * node order. Otherwise it takes a walk of the finished tree in depth-first order, which for an unsorted file
 * means a child index and a reordering of every node first: on the 1.5-million-node deep-stack benchmark that
 * walk was a quarter of `perfloop flame`'s time; here it is a few integer operations per frame a line does not
 * share with the line before. (Depth and the deepest repetition follow from it in node order: analyse/tree-stats.)
 */
export class PathCursor {
  private pathNode = new Int32Array(256);
  private pathFrame = new Int32Array(256);
  private depth = 0;
  /** Occurrences of each frame on the current path. */
  private onPath = new Int32Array(1024);
  private recorded = 0; // nodes whose repeat is recorded (every node, while only this cursor creates them)
  private repeat: Int32Array;

  constructor(
    private readonly builder: ProfileBuilder,
    expectedNodes = 4096,
  ) {
    this.repeat = new Int32Array(Math.max(16, expectedNodes));
  }

  /** Frames on the path. */
  get length(): number {
    return this.depth;
  }

  /** The path's leaf node, -1 when the path is empty. */
  get leaf(): number {
    return this.depth > 0 ? this.pathNode[this.depth - 1] : -1;
  }

  /** The frame at `depth` (0: the root) of the path; `depth` must be below `length`. */
  frameAt(depth: number): number {
    return this.pathFrame[depth];
  }

  /** Keeps the first `depth` frames of the path. */
  truncate(depth: number): void {
    const onPath = this.onPath;
    const frames = this.pathFrame;
    let d = this.depth;
    while (d > depth) onPath[frames[--d]]--;
    this.depth = d;
  }

  /** Extends the path by `frame`; returns its node (created on first use). */
  push(frame: number): number {
    const d = this.depth;
    const parent = d > 0 ? this.pathNode[d - 1] : -1;
    const created = this.builder.nodeCount;
    const node = this.builder.node(parent, frame);
    if (frame >= this.onPath.length) this.onPath = grown(this.onPath, frame + 1);
    const r = ++this.onPath[frame];
    if (node === created && node === this.recorded) {
      if (node === this.repeat.length) this.repeat = grown(this.repeat, node + 1);
      this.repeat[node] = r;
      this.recorded = node + 1;
    }
    if (d === this.pathNode.length) {
      this.pathNode = grown(this.pathNode, d + 1);
      this.pathFrame = grown(this.pathFrame, d + 1);
    }
    this.pathNode[d] = node;
    this.pathFrame[d] = frame;
    this.depth = d + 1;
    return node;
  }

  /**
   * Per node, the occurrences of its frame on its path root..node (1: the topmost occurrence); undefined when
   * some node was made without this cursor (it would be partial).
   */
  nodeRepeats(): Int32Array | undefined {
    const n = this.builder.nodeCount;
    return this.recorded === n ? this.repeat.subarray(0, n) : undefined;
  }
}

function grown(a: Int32Array, atLeast: number): Int32Array<ArrayBuffer> {
  let size = a.length * 2;
  while (size < atLeast) size *= 2;
  const next = new Int32Array(size);
  next.set(a);
  return next;
}
