import { classAggregates, type ClassAggregate } from './class-aggregates.js';
import type { HeapGraph } from './graph/heap-graph.js';
import { isGlobalObject, Scopes } from './scopes.js';

/** A measurement tracked across snapshots, with the node it was read from in that snapshot. */
export interface Tracked {
  value: number;
  /** Node ordinal in the snapshot the fact was read from. */
  node: number;
}

export interface CollectionFact extends Tracked {
  kind: 'Map' | 'Set' | 'Array' | 'Object';
  retained: number;
}

/**
 * What the leak rules compare between snapshots, read from one snapshot. Objects keep their V8 id from one
 * snapshot to the next of the same process, so facts are keyed by id (or by the id of their holder).
 * Small values are left out (read back as 0): the rules look for things that grew large.
 */
export interface SnapshotFacts {
  file: string;
  nodes: number;
  edges: number;
  totalSize: number;
  maxJsObjectId: number;
  classes: Map<string, ClassAggregate>;
  /** Map/Set/Array/dictionary-like Object by object id: entries (≈ references held). */
  collections: Map<number, CollectionFact>;
  /** `emitterId\0event` → listener count (≥ 2), node = the emitter. */
  listeners: Map<string, Tracked>;
  /** Live Timeout objects (callback still set). */
  timers: { live: number; intervals: number; byCallback: Map<string, number> };
  /** Closures by source location `scriptId:line:column`. */
  closures: Map<string, number>;
  /** Promise id → reactions waiting on it (≥ 2), node = the promise. */
  promiseReactions: Map<number, Tracked>;
  /** Promises not known to be settled (no result, or reactions waiting). */
  pendingPromises: number;
  /** `holderId\0name` → retained size (≥ 4 KB) of what a global property or a module-scope variable holds. */
  slots: Map<string, Tracked>;
}

const MIN_COLLECTION_ENTRIES = 16;
const MIN_DICTIONARY_PROPERTIES = 64;
const MIN_SLOT_RETAINED = 4096;

/** Counts the chain of PromiseReactions hanging off a promise (bounded, iterative). */
function reactionChain(g: HeapGraph, first: number, reactionName: number): number {
  let count = 0;
  let cur = first;
  const seen = new Set<number>();
  while (cur >= 0 && g.nameIndex(cur) === reactionName && !seen.has(cur) && count < 10_000_000) {
    seen.add(cur);
    count++;
    let next = -1;
    for (let e = g.firstEdge(cur), end = g.endEdge(cur); e < end; e++) {
      const to = g.edgeTo(e);
      if (to !== cur && g.nameIndex(to) === reactionName && g.edgeType(e) !== g.L.edge.weak) {
        next = to;
        break;
      }
    }
    cur = next;
  }
  return count;
}

export function extractFacts(g: HeapGraph, scopes = new Scopes(g)): SnapshotFacts {
  const T = g.L.node;
  const E = g.L.edge;
  const s = g.strings;
  const idx = (name: string) => s.indexOf(name);
  const names = {
    Map: idx('Map'),
    Set: idx('Set'),
    Array: idx('Array'),
    Object: idx('Object'),
    Timeout: idx('Timeout'),
    Promise: idx('Promise'),
    reaction: idx('system / PromiseReaction'),
    context: idx('system / Context'),
    proto: idx('__proto__'),
    events: idx('_events'),
    table: idx('table'),
    map: idx('map'),
    onTimeout: idx('_onTimeout'),
    repeat: idx('_repeat'),
    reactions: idx('reactions_or_result'),
  };
  const collections = new Map<number, CollectionFact>();
  const listeners = new Map<string, Tracked>();
  const timers = { live: 0, intervals: 0, byCallback: new Map<string, number>() };
  const closures = new Map<string, number>();
  const promiseReactions = new Map<number, Tracked>();
  let pendingPromises = 0;
  const slots = new Map<string, Tracked>();

  const edgeNamed = (n: number, nameIndex: number, type?: number) => {
    if (nameIndex < 0) return -1;
    for (let e = g.firstEdge(n), end = g.endEdge(n); e < end; e++) {
      if ((type === undefined ? !g.edgeHasIndex(e) : g.edgeType(e) === type) && g.edgeNameIndex(e) === nameIndex) return e;
    }
    return -1;
  };
  const countEdges = (n: number, type: number, skipName = -1) => {
    let c = 0;
    for (let e = g.firstEdge(n), end = g.endEdge(n); e < end; e++) if (g.edgeType(e) === type && (skipName < 0 || g.edgeNameIndex(e) !== skipName)) c++;
    return c;
  };
  const isOddball = (n: number) => g.name(n) === 'system / Oddball';

  for (let n = 0; n < g.nodeCount; n++) {
    const type = g.type(n);
    if (type === T.closure) {
      const loc = g.locationOf(n);
      if (loc) {
        const key = `${loc.scriptId}:${loc.line}:${loc.column}`;
        closures.set(key, (closures.get(key) ?? 0) + 1);
      }
      continue;
    }
    if (type !== T.object) continue;
    const name = g.nameIndex(n);
    const id = g.id(n);
    if (name === names.Map || name === names.Set) {
      const te = edgeNamed(n, names.table, E.internal);
      if (te >= 0) {
        const table = g.edgeTo(te);
        let refs = 0;
        for (let e = g.firstEdge(table), end = g.endEdge(table); e < end; e++) if (g.edgeNameIndex(e) !== names.map || g.edgeHasIndex(e)) refs++;
        const entries = name === names.Map ? Math.ceil(refs / 2) : refs;
        if (entries >= MIN_COLLECTION_ENTRIES) collections.set(id, { kind: name === names.Map ? 'Map' : 'Set', value: entries, node: n, retained: g.retainedSize(n) });
      }
    } else if (name === names.Array) {
      const entries = countEdges(n, E.element);
      if (entries >= MIN_COLLECTION_ENTRIES) collections.set(id, { kind: 'Array', value: entries, node: n, retained: g.retainedSize(n) });
    } else if (name === names.Object) {
      const props = countEdges(n, E.property, names.proto);
      if (props >= MIN_DICTIONARY_PROPERTIES) collections.set(id, { kind: 'Object', value: props, node: n, retained: g.retainedSize(n) });
    } else if (name === names.Timeout) {
      const cb = g.child(n, '_onTimeout');
      if (cb >= 0 && g.type(cb) === T.closure) {
        timers.live++;
        const re = edgeNamed(n, names.repeat, E.property);
        if (re < 0 || !isOddball(g.edgeTo(re))) timers.intervals++;
        const where = scopes.closureLocation(cb) || g.name(cb) || '(anonymous)';
        timers.byCallback.set(where, (timers.byCallback.get(where) ?? 0) + 1);
      }
    } else if (name === names.Promise) {
      const re = edgeNamed(n, names.reactions, E.internal);
      if (re < 0) pendingPromises++;
      else if (g.nameIndex(g.edgeTo(re)) === names.reaction) {
        pendingPromises++;
        const chain = reactionChain(g, g.edgeTo(re), names.reaction);
        if (chain >= 2) promiseReactions.set(id, { value: chain, node: n });
      }
    }
    // EventEmitter-like: an `_events` object whose properties are listeners or arrays of them.
    const ev = edgeNamed(n, names.events, E.property);
    if (ev >= 0) {
      const events = g.edgeTo(ev);
      for (let e = g.firstEdge(events), end = g.endEdge(events); e < end; e++) {
        if (g.edgeType(e) !== E.property || g.edgeNameIndex(e) === names.proto) continue;
        const target = g.edgeTo(e);
        const count = g.name(target) === 'Array' && g.type(target) === T.object ? countEdges(target, E.element) : 1;
        if (count >= 2) listeners.set(`${id}\u0000${g.edgeName(e)}`, { value: count, node: n });
      }
    }
  }

  // Slots: what each global property and each variable of a user module's top-level scope holds.
  const record = (holder: number, e: number) => {
    const target = g.edgeTo(e);
    const retained = g.retainedSize(target);
    if (retained >= MIN_SLOT_RETAINED) slots.set(`${g.id(holder)}\u0000${g.edgeName(e)}`, { value: retained, node: target });
  };
  for (let e = g.firstEdge(g.root), end = g.endEdge(g.root); e < end; e++) {
    const global = g.edgeTo(e);
    if (g.edgeType(e) !== E.shortcut || !isGlobalObject(g, global)) continue;
    for (let k = g.firstEdge(global), kend = g.endEdge(global); k < kend; k++) if (g.edgeType(k) === E.property) record(global, k);
  }
  for (let n = 0; n < g.nodeCount; n++) {
    if (g.nameIndex(n) !== names.context || !scopes.isTopLevelScope(n)) continue;
    const script = scopes.contextScript(n);
    if (!script || script.startsWith('node:')) continue;
    for (let k = g.firstEdge(n), end = g.endEdge(n); k < end; k++) if (g.edgeType(k) === E.context) record(n, k);
  }

  return {
    file: g.file,
    nodes: g.nodeCount,
    edges: g.edgeCount,
    totalSize: g.totalSize,
    maxJsObjectId: g.maxJsObjectId,
    classes: new Map(classAggregates(g).map((c) => [c.name, c])),
    collections,
    listeners,
    timers,
    closures,
    promiseReactions,
    pendingPromises,
    slots,
  };
}
