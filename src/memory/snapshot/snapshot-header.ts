import type { Fail } from './strings-reader.js';

export interface SnapshotMeta {
  nodeFields: string[];
  /** Names of the node `type` enum. */
  nodeTypes: string[];
  edgeFields: string[];
  /** Names of the edge `type` enum. */
  edgeTypes: string[];
  locationFields: string[];
  /** Node ordinal of the root (V8: 0). */
  rootIndex: number;
}

/** The `"snapshot"` header's meta: field layouts, type names, counts — checked before any array is read. */
export function readSnapshotHeader(
  header: Record<string, unknown>,
  /** Byte offset of the header, for errors. */
  at: number,
  fail: Fail,
): { meta: SnapshotMeta; nodeCount: number; edgeCount: number } {
  const m = header.meta as Record<string, unknown> | undefined;
  const list = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  const nodeFields = list(m?.node_fields);
  const edgeFields = list(m?.edge_fields);
  const nodeTypeDefs = m?.node_types as unknown[] | undefined;
  const edgeTypeDefs = m?.edge_types as unknown[] | undefined;
  if (!nodeFields || !edgeFields || !Array.isArray(nodeTypeDefs) || !Array.isArray(edgeTypeDefs)) {
    fail('"snapshot.meta" with node_fields, node_types, edge_fields and edge_types', at, 123);
  }
  for (const f of ['type', 'name', 'id', 'self_size', 'edge_count'])
    if (!nodeFields.includes(f)) fail(`node field "${f}" in snapshot.meta.node_fields`, at, 123);
  for (const f of ['type', 'name_or_index', 'to_node'])
    if (!edgeFields.includes(f)) fail(`edge field "${f}" in snapshot.meta.edge_fields`, at, 123);
  const nodeTypes = list(nodeTypeDefs[nodeFields.indexOf('type')]);
  const edgeTypes = list(edgeTypeDefs[edgeFields.indexOf('type')]);
  if (!nodeTypes || !edgeTypes) fail('the node and edge type names in snapshot.meta', at, 123);
  const count = (k: string) => {
    const v = header[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      fail(`"${k}" (a count) in "snapshot"`, at, 123);
    return v;
  };
  const nodeCount = count('node_count');
  const edgeCount = count('edge_count');
  const rootIndex = typeof header.root_index === 'number' ? header.root_index / nodeFields.length : 0;
  const meta: SnapshotMeta = {
    nodeFields,
    nodeTypes,
    edgeFields,
    edgeTypes,
    locationFields: list(m?.location_fields) ?? [],
    rootIndex,
  };
  return { meta, nodeCount, edgeCount };
}
