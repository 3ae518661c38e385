import type { RawHeapSnapshot } from '../snapshot/parser.js';
import { classNames } from './class-names.js';
import { computeDominators, essentialEdgeTest, weakMapTableIds } from './dominators.js';
import { indexRetainers } from './edge-index.js';
import type { HeapGraphData } from './heap-graph.js';
import { layoutOf } from './layout.js';
import { hasUserRoots, pageOwnedNodes } from './page-owned.js';
import { shortestRetainers, words } from './retainer-tree.js';
import { shallowSizes } from './shallow-sizes.js';
import { childLists, indexTree, type Alloc } from './tree-index.js';

export type AnalysePhase = 'sizes' | 'dominators' | 'retainer paths' | 'class names';

/**
 * From a parsed snapshot to a HeapGraph's data, in DevTools' order: page-owned flags, shallow sizes,
 * essential edges → retainers → dominator tree and retained sizes, then the shortest-retainer tree and class
 * names. Every pass is linear (or near: Lengauer–Tarjan) over typed arrays; the dominator search's working
 * arrays are handed on to the later passes instead of allocating more (peak memory is what limits the size
 * of snapshot a machine can read): the dominator tree's pre-order index is built in them here, so the caller's
 * summary allocates nothing per node. The retainer index only the dominator search needs stays behind (the
 * graph rebuilds one, without the flags, if a caller asks who retains a node).
 */
export function analyseSnapshot(raw: RawHeapSnapshot, file: string, onPhase?: (phase: AnalysePhase) => void): HeapGraphData {
  const L = layoutOf(raw.meta);
  const root = raw.meta.rootIndex;
  const { nodes, edges, strings } = raw;
  onPhase?.('sizes');
  const owned = pageOwnedNodes(nodes, edges, L, strings, root);
  const selfSize = shallowSizes(nodes, edges, L, hasUserRoots(nodes, edges, L, root));
  onPhase?.('dominators');
  const isEssential = essentialEdgeTest(nodes, edges, L, strings, owned, root);
  const { dominator, retained, unreachable, spare } = computeDominators(nodes, edges, indexRetainers(nodes.firstEdge, edges.to, isEssential), isEssential, selfSize, root);
  const fromSpare: Alloc = (length) => words(length, spare);
  const tree = childLists(dominator, root, fromSpare);
  const dominatorIndex = indexTree(tree.first, tree.list, dominator, root, { alloc: fromSpare });
  spare.push(new Uint32Array(tree.first.buffer), new Uint32Array(tree.list.buffer));
  onPhase?.('retainer paths');
  const tableOf = weakMapTableIds(strings);
  const internal = L.edge.internal;
  const skipEdge = (k: number, from: number) => edges.type[k] === internal && tableOf(edges.name[k]) === nodes.id[from];
  const { parentNode, parentEdge } = shortestRetainers(nodes, edges, L, root, skipEdge, spare);
  onPhase?.('class names');
  const cls = classNames(nodes, edges, L, strings, raw.meta.nodeTypes, spare);
  return {
    file,
    bytes: raw.bytes,
    meta: raw.meta,
    nodeType: nodes.type,
    nodeName: nodes.name,
    nodeId: nodes.id,
    rawSize: nodes.size,
    firstEdge: nodes.firstEdge,
    edgeType: edges.type,
    edgeName: edges.name,
    edgeTo: edges.to,
    stringBytes: strings.bytes,
    stringOffsets: strings.offsets,
    locations: raw.locations,
    selfSize,
    retained,
    dominator,
    dominatorEnter: dominatorIndex.enter,
    dominatorExit: dominatorIndex.exit,
    dominatorOrder: dominatorIndex.order,
    dominatorReached: dominatorIndex.reached,
    owned,
    parentNode,
    parentEdge,
    classId: cls.classId,
    classNames: cls.names,
    unreachable,
  };
}

/** The buffers of a HeapGraphData, for a zero-copy postMessage (views share their buffer: listed once). */
export function transferList(d: HeapGraphData): ArrayBuffer[] {
  const arrays = [d.nodeType, d.nodeName, d.nodeId, d.rawSize, d.firstEdge, d.edgeType, d.edgeName, d.edgeTo, d.stringBytes, d.stringOffsets, d.locations, d.selfSize, d.retained, d.dominator, d.dominatorEnter, d.dominatorExit, d.dominatorOrder, d.owned, d.parentNode, d.parentEdge, d.classId];
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
  return [...seen];
}
