import type { EdgeColumns, NodeColumns } from '../snapshot/parser.js';
import type { StringTable } from '../snapshot/string-table.js';
import type { Layout } from './layout.js';
import { words } from './retainer-tree.js';

export interface ClassNames {
  /** Class (the "Constructor" column of DevTools' Summary view) of each node, an index into `names`. */
  classId: Uint32Array;
  names: string[];
}

const MAX_INTERFACES = 1000;
const MAX_INTERFACE_NAME = 120;

/** DevTools quotes property names that would make `{a, b}` ambiguous. */
function formatProperty(name: string): string {
  if (!/[,'"{}]/.test(name)) return name;
  const s = JSON.stringify({ [name]: 0 });
  return s.substring(1, s.length - 3);
}

/**
 * Class names the way Chrome DevTools groups its Summary view: objects by constructor name, closures as
 * "Function", internal V8 objects as "(system)", code as "(compiled code)", other types as "(type)" — and
 * plain `Object`s by their shape, `{id, name, createdAt}`, when at least two objects share it (DevTools'
 * inferred interfaces; a simplification: an object must start with exactly those properties to match).
 * Shapes are what make "what leaks" readable: 50,000 `{userId, payload}` says more than 50,000 `Object`.
 */
export function classNames(nodes: NodeColumns, edges: EdgeColumns, L: Layout, strings: StringTable, nodeTypes: readonly string[], spare?: Uint32Array[]): ClassNames {
  const { firstEdge } = nodes;
  const nodeCount = firstEdge.length - 1;
  const names: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      ids.set(name, id);
    }
    return id;
  };
  const T = L.node;
  const fixed = new Map<number, number>([
    [T.hidden, idOf('(system)')],
    [T.code, idOf('(compiled code)')],
    [T.closure, idOf('Function')],
    [T.regexp, idOf('RegExp')],
  ]);
  nodeTypes.forEach((t, i) => {
    if (!fixed.has(i) && i !== T.object && i !== T.native) fixed.set(i, idOf(`(${t})`));
  });
  const byNameIndex = new Map<number, number>();
  const objectName = strings.indexOf('Object');
  const protoName = strings.indexOf('__proto__');
  const formatted = new Map<number, string>();
  const classId = words(nodeCount, spare).subarray(0, nodeCount);
  // Plain objects: their shape name first, classes assigned once the popular shapes are known.
  const shapeWords = words(nodeCount, spare);
  const shapeOf = new Int32Array(shapeWords.buffer, 0, nodeCount).fill(-1);
  const shapes = new Map<string, { index: number; count: number }>();
  const shapeNames: string[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const type = nodes.type[n];
    const f = fixed.get(type);
    if (f !== undefined) {
      classId[n] = f;
      continue;
    }
    const nameIndex = nodes.name[n];
    if (type === T.object && nameIndex === objectName) {
      let shape = '{';
      for (let k = firstEdge[n], end = firstEdge[n + 1]; k < end; k++) {
        if (edges.type[k] !== L.edge.property) continue;
        const pn = edges.name[k];
        if (pn === protoName) continue;
        let p = formatted.get(pn);
        if (p === undefined) formatted.set(pn, (p = formatProperty(strings.get(pn))));
        if (shape.length > 1 && shape.length + p.length > MAX_INTERFACE_NAME) break;
        if (shape.length > 1) shape += ', ';
        shape += p;
      }
      if (shape.length > 1) {
        shape += '}';
        let s = shapes.get(shape);
        if (!s) {
          s = { index: shapeNames.length, count: 0 };
          shapes.set(shape, s);
          shapeNames.push(shape);
        }
        s.count++;
        shapeOf[n] = s.index;
      }
    }
    let id = byNameIndex.get(nameIndex);
    if (id === undefined) {
      let name = strings.get(nameIndex);
      // DOM-ish names '<div id="a">' group as '<div>' (browsers; harmless elsewhere).
      if (type === T.native && name.startsWith('<')) {
        const sp = name.indexOf(' ');
        if (sp !== -1) name = `${name.substring(0, sp)}>`;
      }
      id = idOf(name);
      byNameIndex.set(nameIndex, id);
    }
    classId[n] = id;
  }
  if (shapes.size > 0) {
    const popular = [...shapes.values()].filter((s) => s.count >= 2).sort((a, b) => b.count - a.count || a.index - b.index).slice(0, MAX_INTERFACES);
    const shapeClass = new Int32Array(shapeNames.length).fill(-1);
    for (const s of popular) shapeClass[s.index] = idOf(shapeNames[s.index]);
    for (let n = 0; n < nodeCount; n++) {
      const s = shapeOf[n];
      if (s >= 0 && shapeClass[s] >= 0) classId[n] = shapeClass[s];
    }
  }
  spare?.push(shapeWords);
  return { classId, names };
}
