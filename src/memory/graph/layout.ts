import type { SnapshotMeta } from '../snapshot/parser.js';

/** What the type enums of this snapshot mean (read from its meta: V8 has added types over the years). */
export interface Layout {
  /** Node type ids by name ('object', 'closure', …), -1 when the snapshot has no such type. */
  node: NodeTypes;
  edge: EdgeTypes;
}

export interface NodeTypes {
  hidden: number;
  array: number;
  string: number;
  object: number;
  code: number;
  closure: number;
  regexp: number;
  number: number;
  native: number;
  synthetic: number;
  consString: number;
  slicedString: number;
  symbol: number;
  bigint: number;
  objectShape: number;
}

export interface EdgeTypes {
  context: number;
  element: number;
  property: number;
  internal: number;
  hidden: number;
  shortcut: number;
  weak: number;
}

export function layoutOf(meta: SnapshotMeta): Layout {
  const nt = (name: string) => meta.nodeTypes.indexOf(name);
  const et = (name: string) => meta.edgeTypes.indexOf(name);
  return {
    node: {
      hidden: nt('hidden'),
      array: nt('array'),
      string: nt('string'),
      object: nt('object'),
      code: nt('code'),
      closure: nt('closure'),
      regexp: nt('regexp'),
      number: nt('number'),
      native: nt('native'),
      synthetic: nt('synthetic'),
      consString: nt('concatenated string'),
      slicedString: nt('sliced string'),
      symbol: nt('symbol'),
      bigint: nt('bigint'),
      objectShape: nt('object shape'),
    },
    edge: {
      context: et('context'),
      element: et('element'),
      property: et('property'),
      internal: et('internal'),
      hidden: et('hidden'),
      shortcut: et('shortcut'),
      weak: et('weak'),
    },
  };
}
