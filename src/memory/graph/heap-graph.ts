import type { SnapshotMeta } from '../snapshot/parser.js';
import { StringTable } from '../snapshot/string-table.js';
import { layoutOf, type Layout } from './layout.js';
import { indexRetainers, type Retainers } from './edge-index.js';
import { childLists, indexTree, type TreeIndex } from './tree-index.js';

/**
 * Everything known about one heap snapshot, as typed arrays only: what the worker builds and transfers to
 * the caller without a copy (see `loadHeapGraph`).
 */
export interface HeapGraphData {
  file: string;
  /** Size of the file in bytes. */
  bytes: number;
  meta: SnapshotMeta;
  /** Node columns, by node ordinal. */
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  /** Self size as V8 reported it. */
  rawSize: Uint32Array;
  /** firstEdge[n]..firstEdge[n+1]: node n's edges. */
  firstEdge: Uint32Array;
  /** Edge columns, by edge ordinal (edges are stored in source-node order). */
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  /** Target node ordinal. */
  edgeTo: Uint32Array;
  stringBytes: Uint8Array;
  stringOffsets: Uint32Array;
  /** location_fields per closure, object_index already a node ordinal. */
  locations: Uint32Array;
  /** Self size as DevTools shows it (owned internal arrays charged to their owner). */
  selfSize: Uint32Array;
  retained: Float64Array;
  dominator: Uint32Array;
  /** The dominator tree's pre-order index (see TreeIndex), built by the worker in the dominator search's spare arrays. */
  dominatorEnter: Uint32Array;
  dominatorExit: Uint32Array;
  dominatorOrder: Uint32Array;
  dominatorReached: number;
  /** 1 for nodes reachable from the globals (DevTools' page-owned flag). */
  owned: Uint8Array;
  parentNode: Int32Array;
  parentEdge: Int32Array;
  classId: Uint32Array;
  classNames: string[];
  /** Nodes the root cannot reach over essential edges. */
  unreachable: number;
  /** Where the worker's time went (ms): reading and parsing the file, the dominator tree, the other passes. */
  timings?: { parseMs: number; dominatorsMs: number; analysisMs: number };
}

/**
 * A heap snapshot held in typed arrays — nodes, edges, strings — with its dominator tree, retained sizes,
 * DevTools class names and a shortest-retainer tree. Nodes and edges are addressed by ordinal. Read-only.
 */
export class HeapGraph {
  readonly L: Layout;
  readonly strings: StringTable;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly root: number;
  private retainerIndex?: Retainers;
  private dominatorTreeIndex?: TreeIndex;
  private pathTreeIndex?: TreeIndex;
  private maxIdCache?: number;

  constructor(readonly data: HeapGraphData) {
    this.L = layoutOf(data.meta);
    this.strings = new StringTable(data.stringBytes, data.stringOffsets);
    this.nodeCount = data.nodeType.length;
    this.edgeCount = data.edgeType.length;
    this.root = data.meta.rootIndex;
  }

  get file(): string {
    return this.data.file;
  }

  /** The heap's size: the root's retained size, i.e. every node's self size. */
  get totalSize(): number {
    return this.data.retained[this.root];
  }

  type(n: number): number {
    return this.data.nodeType[n];
  }

  typeName(n: number): string {
    return this.data.meta.nodeTypes[this.type(n)] ?? 'unknown';
  }

  nameIndex(n: number): number {
    return this.data.nodeName[n];
  }

  name(n: number): string {
    return this.strings.get(this.nameIndex(n));
  }

  id(n: number): number {
    return this.data.nodeId[n];
  }

  /** Self size as V8 reported it. */
  rawSelfSize(n: number): number {
    return this.data.rawSize[n];
  }

  /** Self size as DevTools shows it (a Map includes its hash table). */
  selfSize(n: number): number {
    return this.data.selfSize[n];
  }

  retainedSize(n: number): number {
    return this.data.retained[n];
  }

  dominatorOf(n: number): number {
    return this.data.dominator[n];
  }

  className(n: number): string {
    return this.data.classNames[this.data.classId[n]];
  }

  classIdOf(n: number): number {
    return this.data.classId[n];
  }

  firstEdge(n: number): number {
    return this.data.firstEdge[n];
  }

  /** One past the last edge of node n. */
  endEdge(n: number): number {
    return this.data.firstEdge[n + 1];
  }

  edgeType(e: number): number {
    return this.data.edgeType[e];
  }

  edgeTypeName(e: number): string {
    return this.data.meta.edgeTypes[this.edgeType(e)] ?? 'unknown';
  }

  edgeTo(e: number): number {
    return this.data.edgeTo[e];
  }

  /** Element and hidden edges carry an index; the others a string-table index. */
  edgeHasIndex(e: number): boolean {
    const t = this.edgeType(e);
    return t === this.L.edge.element || t === this.L.edge.hidden;
  }

  edgeNameIndex(e: number): number {
    return this.data.edgeName[e];
  }

  edgeName(e: number): string {
    const v = this.edgeNameIndex(e);
    return this.edgeHasIndex(e) ? String(v) : this.strings.get(v);
  }

  /** The first edge of n of `type` named `name`, or -1. */
  findEdge(n: number, type: number, name: string): number {
    for (let e = this.firstEdge(n), end = this.endEdge(n); e < end; e++) {
      if (this.edgeType(e) === type && !this.edgeHasIndex(e) && this.strings.equals(this.edgeNameIndex(e), name)) return e;
    }
    return -1;
  }

  /** Target of n's property (or internal/context) edge `name`, or -1. */
  child(n: number, name: string, type = this.L.edge.property): number {
    const e = this.findEdge(n, type, name);
    return e < 0 ? -1 : this.edgeTo(e);
  }

  retainerCount(n: number): number {
    const { firstRetainer } = this.retainers();
    return firstRetainer[n + 1] - firstRetainer[n];
  }

  /**
   * Who points at each node (slots firstRetainer[n]..firstRetainer[n+1] of retainerNode): built on first use,
   * O(nodes + edges), 4 bytes per edge and per node — most analyses never ask, so the graph does not carry it.
   */
  retainers(): Retainers {
    if (!this.retainerIndex) {
      this.retainerIndex = indexRetainers(this.data.firstEdge, this.data.edgeTo);
    }
    return this.retainerIndex;
  }

  /** Highest JS object id (odd ids: V8 gives JS heap objects odd ids and embedder objects even ones). */
  get maxJsObjectId(): number {
    if (this.maxIdCache === undefined) {
      let max = 0;
      const ids = this.data.nodeId;
      for (let n = 0; n < ids.length; n++) {
        const id = ids[n];
        if (id % 2 === 1 && id > max) max = id;
      }
      this.maxIdCache = max;
    }
    return this.maxIdCache;
  }

  /** Dominator tree's pre-order numbers (ancestor tests in O(1), subtrees as ranges of `order`): from the worker, no depths. */
  dominatorIndex(): TreeIndex {
    if (!this.dominatorTreeIndex) {
      const d = this.data;
      this.dominatorTreeIndex = { enter: d.dominatorEnter, exit: d.dominatorExit, order: d.dominatorOrder, reached: d.dominatorReached };
    }
    return this.dominatorTreeIndex;
  }

  /**
   * The shortest-retainer tree's pre-order numbers and depths (path depth in O(1), "does n's path pass through
   * m" in O(1)); built once on first use, O(n), 16 bytes a node plus a transient 8 for its child lists.
   */
  pathIndex(): TreeIndex {
    if (!this.pathTreeIndex) {
      const { first, list } = childLists(this.data.parentNode, this.root);
      this.pathTreeIndex = indexTree(first, list, this.data.parentNode, this.root, { depth: true });
    }
    return this.pathTreeIndex;
  }

  /** Source location of a closure node (0-based line/column as V8 gives them), when the snapshot has one. */
  locationOf(n: number): { scriptId: number; line: number; column: number } | undefined {
    const index = this.locationIndex();
    const at = index.get(n);
    if (at === undefined) return undefined;
    const f = this.data.meta.locationFields;
    const loc = this.data.locations;
    return { scriptId: loc[at + f.indexOf('script_id')], line: loc[at + f.indexOf('line')], column: loc[at + f.indexOf('column')] };
  }

  private locIndex?: Map<number, number>;
  private locationIndex(): Map<number, number> {
    if (!this.locIndex) {
      this.locIndex = new Map();
      const f = this.data.meta.locationFields;
      const obj = f.indexOf('object_index');
      if (obj >= 0 && f.length > 0) for (let i = 0; i < this.data.locations.length; i += f.length) this.locIndex.set(this.data.locations[i + obj], i);
    }
    return this.locIndex;
  }
}
