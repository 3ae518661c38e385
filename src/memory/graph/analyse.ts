import type { RawHeapSnapshot } from '../snapshot/parser.js';
import { classNames } from './class-names.js';
import { computeDominators, essentialEdges, weakMapTableIds } from './dominators.js';
import { indexRetainers } from './edge-index.js';
import type { HeapGraphData } from './heap-graph.js';
import { layoutOf } from './layout.js';
import { hasUserRoots, pageOwnedNodes } from './page-owned.js';
import { shortestRetainers } from './retainer-tree.js';
import { shallowSizes } from './shallow-sizes.js';

export type AnalysePhase = 'sizes' | 'dominators' | 'retainer paths' | 'class names';

/**
 * From a parsed snapshot to a HeapGraph's data, in DevTools' order: page-owned flags, shallow sizes,
 * essential edges → retainers → dominator tree and retained sizes, then the shortest-retainer tree and class
 * names. Every pass is linear (or near: Lengauer–Tarjan) over typed arrays; the dominator search's working
 * arrays are handed on to the later passes instead of allocating more (peak memory is what limits the size
 * of snapshot a machine can read).
 */
export function analyseSnapshot(raw: RawHeapSnapshot, file: string, onPhase?: (phase: AnalysePhase) => void): HeapGraphData {
  const L = layoutOf(raw.meta);
  const root = raw.meta.rootIndex;
  const { nodes, edges, strings } = raw;
  onPhase?.('sizes');
  const owned = pageOwnedNodes(nodes, edges, L, strings, root);
  const selfSize = shallowSizes(nodes, edges, L, hasUserRoots(nodes, edges, L, root));
  onPhase?.('dominators');
  const essential = essentialEdges(nodes, edges, L, strings, owned, root);
  const retainers = indexRetainers(nodes, edges, essential);
  const { dominator, retained, unreachable, spare } = computeDominators(nodes, edges, retainers, essential, selfSize, root);
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
    ...retainers,
    selfSize,
    retained,
    dominator,
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
  const arrays = [d.nodeType, d.nodeName, d.nodeId, d.rawSize, d.firstEdge, d.edgeType, d.edgeName, d.edgeTo, d.stringBytes, d.stringOffsets, d.locations, d.firstRetainer, d.retainerNode, d.retainerEssential, d.selfSize, d.retained, d.dominator, d.owned, d.parentNode, d.parentEdge, d.classId];
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
  return [...seen];
}
