/**
 * V8 heap snapshot (`.heapsnapshot`: `v8.writeHeapSnapshot`, `--heapsnapshot-signal`, Chrome DevTools,
 * the inspector's HeapProfiler.takeHeapSnapshot). Format: V8's HeapSnapshotJSONSerializer
 * (https://source.chromium.org/chromium/chromium/src/+/main:v8/src/profiler/heap-snapshot-generator.cc) — one
 * JSON object: `snapshot` (meta: node_fields / node_types / edge_fields / edge_types / location_fields, counts),
 * then flat number arrays `nodes` (node_fields per node), `edges` (edge_fields per edge, in node order,
 * `to_node` an index into `nodes`), `locations`, and `strings` (the string table every name indexes).
 *
 * This is a push parser over bytes: chunks go in as the file is read, numbers go straight into typed
 * arrays and strings into one UTF-8 byte buffer, so the file never exists as one JS string and a
 * 1 GB snapshot costs its typed arrays, not gigabytes of JS heap. Anything truncated or malformed is a
 * PerfloopError naming the file, what was expected and the byte offset.
 */
import { PerfloopError } from '../../core/errors.js';
import { GrowableUint32 } from './growable.js';
import type { StringTable } from './string-table.js';
import { StringsReader, type Fail } from './strings-reader.js';
import { ValueCapture } from './value-capture.js';
import { readSnapshotHeader, type SnapshotMeta } from './snapshot-header.js';

export type { SnapshotMeta } from './snapshot-header.js';

/** Nodes by column (the fields perfloop uses; trace_node_id and detachedness are not kept). */
export interface NodeColumns {
  type: Uint8Array;
  /** String-table index. */
  name: Uint32Array;
  id: Uint32Array;
  /** Self size as V8 reported it. */
  size: Uint32Array;
  /** firstEdge[n]..firstEdge[n+1]: node n's edges (edges are stored in node order). Length nodeCount + 1. */
  firstEdge: Uint32Array;
}

export interface EdgeColumns {
  type: Uint8Array;
  /** String-table index, or the element / hidden index. */
  name: Uint32Array;
  /** Target node ordinal (the file's `to_node` divided by the node field count). */
  to: Uint32Array;
}

export interface RawHeapSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  nodes: NodeColumns;
  edges: EdgeColumns;
  /** location_fields per entry, object_index already a node ordinal. */
  locations: Uint32Array;
  strings: StringTable;
  /** Byte offset where each top-level section's value starts, for error messages after parsing. */
  sectionOffsets: Record<string, number>;
  bytes: number;
}

const enum Mode {
  Open,
  KeyOrClose,
  Key,
  Colon,
  Value,
  CommaOrClose,
  KeyStart,
  Numbers,
  Strings,
  Capture,
  Done,
}

/** Sections read as unsigned 32-bit integers (V8 ids, sizes, counts and indexes all fit). */
const NUMBER_SECTIONS = new Set(['nodes', 'edges', 'locations']);
/** The header is small; anything bigger is not a heap snapshot. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const UINT32_MAX = 0xffffffff;
/** Values staged between stores into the columns. */
const STAGE = 8192;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

function show(c: number | undefined): string {
  if (c === undefined) return 'end of file';
  if (c >= 32 && c < 127) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class HeapSnapshotParser {
  private mode = Mode.Open;
  /** Absolute offset of the current chunk's first byte. */
  private base = 0;
  private key = '';
  private keyBytes: number[] = [];
  private readonly sectionOffsets: Record<string, number> = {};
  private header: Record<string, unknown> | undefined;
  private meta: SnapshotMeta | undefined;

  // Number arrays: 1 expect value or ']', 2 in number, 3 after value, 4 after comma.
  private numState = 0;
  private cur = 0;
  /** Which array: 0 nodes, 1 edges, 2 locations. */
  private section = 0;
  /** Values read so far in the current array. */
  private count = 0;
  /** Field position within the current node / edge, and what each position means (see ROLE_*). */
  private field = 0;
  private roles: Uint8Array = new Uint8Array(0);
  private nodeCount = 0;
  private edgeCount = 0;
  private nodeFields = 0;
  private edgeFields = 0;
  private nodeTypeCount = 0;
  private edgeTypeCount = 0;
  private nodes: NodeColumns | undefined;
  private edges: EdgeColumns | undefined;
  private locOut: GrowableUint32 | undefined;
  private locations: Uint32Array | undefined;
  private readonly done = new Set<string>();
  private readonly stageVals = new Float64Array(STAGE);
  private readonly stagePos = new Float64Array(STAGE);
  /** Size of the whole file, when known: bounds the string buffer so it is allocated once. */
  private readonly expectedBytes: number;
  /** Told the counts as soon as the header is read, before any array is allocated (the memory check). */
  private readonly onHeader?: (nodeCount: number, edgeCount: number) => void;

  /** The "strings" section being read, then its table. */
  private stringsReader: StringsReader | undefined;
  private strings: StringTable | undefined;
  /** Any other value: the header (kept) or a section this parser does not need (skipped). */
  private capture: ValueCapture | undefined;
  private readonly failAt: Fail = (expected, offset, found) => this.fail(expected, offset, found);

  constructor(
    private readonly file: string,
    options: { expectedBytes?: number; onHeader?: (nodeCount: number, edgeCount: number) => void } = {},
  ) {
    this.expectedBytes = options.expectedBytes ?? 0;
    this.onHeader = options.onHeader;
  }

  private fail(expected: string, offset: number, found?: number): never {
    throw new PerfloopError(
      'HEAP_SNAPSHOT_MALFORMED',
      `${this.file}: not a valid heap snapshot: expected ${expected} at byte ${offset}, found ${show(found)}`,
      {
        hint: 'write it again with v8.writeHeapSnapshot() or DevTools; a copy cut short or edited cannot be read',
        exitCode: 2,
      },
    );
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    const len = chunk.length;
    while (i < len) {
      switch (this.mode) {
        case Mode.Numbers:
          i = this.readNumbers(chunk, i);
          break;
        case Mode.Strings:
          i = this.readStrings(chunk, i);
          break;
        case Mode.Capture:
          i = this.readCaptured(chunk, i);
          break;
        default:
          i = this.readStructure(chunk, i);
      }
    }
    this.base += len;
  }

  /** The top level: `{ "key": value, … }`, dispatching each value to the reader its key needs. */
  private readStructure(buf: Uint8Array, i: number): number {
    const c = buf[i];
    const at = this.base + i;
    switch (this.mode) {
      case Mode.Open:
        if (isWs(c)) return i + 1;
        if (c !== 123) this.fail(`'{' (a heap snapshot is one JSON object)`, at, c);
        this.mode = Mode.KeyOrClose;
        return i + 1;
      case Mode.KeyOrClose:
      case Mode.KeyStart:
        if (isWs(c)) return i + 1;
        if (c === 125 && this.mode === Mode.KeyOrClose) {
          this.mode = Mode.Done;
          return i + 1;
        }
        if (c !== 34) this.fail(this.mode === Mode.KeyOrClose ? `'"' (a key) or '}'` : `'"' (a key)`, at, c);
        this.keyBytes = [];
        this.mode = Mode.Key;
        return i + 1;
      case Mode.Key:
        if (c === 34) {
          this.key = Buffer.from(this.keyBytes).toString('utf8');
          this.mode = Mode.Colon;
        } else if (this.keyBytes.length > 256) this.fail(`the end of a key (keys are short)`, at, c);
        else this.keyBytes.push(c);
        return i + 1;
      case Mode.Colon:
        if (isWs(c)) return i + 1;
        if (c !== 58) this.fail(`':' after key "${this.key}"`, at, c);
        this.mode = Mode.Value;
        return i + 1;
      case Mode.Value:
        if (isWs(c)) return i + 1;
        return this.startValue(c, at, i);
      case Mode.CommaOrClose:
        if (isWs(c)) return i + 1;
        if (c === 44) this.mode = Mode.KeyStart;
        else if (c === 125) this.mode = Mode.Done;
        else this.fail(`',' or '}' after "${this.key}"`, at, c);
        return i + 1;
      case Mode.Done:
        if (!isWs(c)) this.fail("nothing after the closing '}'", at, c);
        return i + 1;
      default:
        throw new Error(`heap snapshot parser: bad mode ${this.mode}`);
    }
  }

  private startValue(c: number, at: number, i: number): number {
    const key = this.key;
    this.sectionOffsets[key] = at;
    if (NUMBER_SECTIONS.has(key)) {
      if (c !== 91) this.fail(`'[' starting "${key}"`, at, c);
      if (this.done.has(key)) this.fail(`one "${key}" section`, at, c);
      this.startNumbers(key, at);
      this.numState = 1;
      this.mode = Mode.Numbers;
      return i + 1;
    }
    if (key === 'strings') {
      if (c !== 91) this.fail(`'[' starting "strings"`, at, c);
      // Unescaping only shrinks text, so the rest of the file bounds the strings' bytes: one allocation.
      const capacity = this.expectedBytes > at ? this.expectedBytes - at : 1 << 20;
      this.stringsReader = new StringsReader(capacity, this.failAt);
      this.mode = Mode.Strings;
      return i + 1;
    }
    if (key === 'snapshot' && c !== 123) this.fail(`'{' starting "snapshot"`, at, c);
    this.capture = new ValueCapture(key === 'snapshot', MAX_HEADER_BYTES, `"${key}"`, this.failAt);
    this.mode = Mode.Capture;
    return i;
  }

  /**
   * `[n,n,…]` of unsigned integers: the hot loop of the whole parser. Values are staged (with the byte offset
   * that ends each, for error messages) and stored into their columns a batch at a time, so the per-byte loop
   * stays small and the per-value work runs in a tight loop per section.
   */
  private readNumbers(buf: Uint8Array, i: number): number {
    const len = buf.length;
    const vals = this.stageVals;
    const pos = this.stagePos;
    const base = this.base;
    let n = 0;
    let st = this.numState;
    let cur = this.cur;
    let c = 0;
    // A number cut by the previous chunk's end: finish its digits first.
    if (st === 2) {
      while (i < len && (c = buf[i]) >= 48 && c <= 57) {
        cur = cur * 10 + (c - 48);
        i++;
      }
      if (i === len) {
        this.cur = cur;
        return i;
      }
      if (cur > UINT32_MAX) this.fail(`an unsigned 32-bit integer in "${this.key}"`, base + i, c);
      vals[n] = cur;
      pos[n++] = base + i;
      st = 3;
    }
    while (i < len) {
      c = buf[i];
      if (c >= 48 && c <= 57) {
        if (st === 3) this.fail(`',' or ']' in "${this.key}"`, base + i, c);
        cur = c - 48;
        i++;
        while (i < len && (c = buf[i]) >= 48 && c <= 57) {
          cur = cur * 10 + (c - 48);
          i++;
        }
        if (i === len) {
          st = 2;
          break;
        }
        if (cur > UINT32_MAX) this.fail(`an unsigned 32-bit integer in "${this.key}"`, base + i, c);
        vals[n] = cur;
        pos[n++] = base + i;
        if (n === STAGE) {
          this.flushValues(n);
          n = 0;
        }
        st = 3;
        if (c === 44) {
          // The usual separator, taken here to save a trip round the loop.
          st = 4;
          i++;
        }
        continue;
      }
      if (c === 44) {
        if (st !== 3) this.fail(`a number in "${this.key}"`, base + i, c);
        st = 4;
      } else if (c === 93) {
        if (st === 4) this.fail(`a number after ',' in "${this.key}"`, base + i, c);
        this.flushValues(n);
        this.endNumbers(base + i);
        this.mode = Mode.CommaOrClose;
        this.numState = 0;
        this.cur = 0;
        return i + 1;
      } else if (!isWs(c)) {
        this.fail(`${st === 3 ? `',' or ']'` : 'an unsigned integer'} in "${this.key}"`, base + i, c);
      }
      i++;
    }
    this.flushValues(n);
    this.numState = st;
    this.cur = cur;
    return i;
  }

  /** Stores staged values into the current section's columns. */
  private flushValues(n: number): void {
    if (n === 0) return;
    const vals = this.stageVals;
    if (this.section === 2) {
      for (let k = 0; k < n; k++) this.locOut!.push(vals[k]);
      return;
    }
    const roles = this.roles;
    let field = this.field;
    let item = this.count;
    if (this.section === 0) {
      const { type, name, id, size, firstEdge } = this.nodes!;
      const fields = this.nodeFields;
      const max = this.nodeCount;
      const types = this.nodeTypeCount;
      for (let k = 0; k < n; k++) {
        const v = vals[k];
        if (item >= max)
          this.fail(`no more than ${max} nodes (node_count in the header)`, this.stagePos[k], 44);
        switch (roles[field]) {
          case 1:
            if (v >= types) this.fail(`a node type below ${types} in "nodes"`, this.stagePos[k], 44);
            type[item] = v;
            break;
          case 2:
            name[item] = v;
            break;
          case 3:
            id[item] = v;
            break;
          case 4:
            size[item] = v;
            break;
          case 5:
            firstEdge[item + 1] = firstEdge[item] + v;
            break;
        }
        if (++field === fields) {
          field = 0;
          item++;
        }
      }
    } else {
      const { type, name, to } = this.edges!;
      const fields = this.edgeFields;
      const nodeFields = this.nodeFields;
      const max = this.edgeCount;
      const nodes = this.nodeCount;
      const types = this.edgeTypeCount;
      for (let k = 0; k < n; k++) {
        const v = vals[k];
        if (item >= max)
          this.fail(`no more than ${max} edges (edge_count in the header)`, this.stagePos[k], 44);
        switch (roles[field]) {
          case 1:
            if (v >= types) this.fail(`an edge type below ${types} in "edges"`, this.stagePos[k], 44);
            type[item] = v;
            break;
          case 2:
            name[item] = v;
            break;
          case 3: {
            const t = v / nodeFields;
            if (v % nodeFields !== 0 || t >= nodes)
              this.fail(
                `a to_node pointing at one of the ${nodes} nodes (got ${v}) in "edges"`,
                this.stagePos[k],
                44,
              );
            to[item] = t;
            break;
          }
        }
        if (++field === fields) {
          field = 0;
          item++;
        }
      }
    }
    this.field = field;
    this.count = item;
  }

  private readStrings(buf: Uint8Array, i: number): number {
    const reader = this.stringsReader!;
    const next = reader.read(buf, i, this.base);
    if (reader.table) {
      this.strings = reader.table;
      this.stringsReader = undefined;
      this.mode = Mode.CommaOrClose;
    }
    return next;
  }

  private readCaptured(buf: Uint8Array, i: number): number {
    const capture = this.capture!;
    const next = capture.read(buf, i, this.base);
    if (!capture.finished) return next;
    this.capture = undefined;
    if (this.key === 'snapshot') {
      const text = capture.text();
      try {
        this.header = JSON.parse(text) as Record<string, unknown>;
      } catch {
        this.fail(`valid JSON in "${this.key}"`, this.sectionOffsets[this.key], text.charCodeAt(0));
      }
      const h = readSnapshotHeader(this.header, this.sectionOffsets.snapshot, this.failAt);
      this.meta = h.meta;
      this.nodeCount = h.nodeCount;
      this.edgeCount = h.edgeCount;
      this.nodeFields = h.meta.nodeFields.length;
      this.edgeFields = h.meta.edgeFields.length;
      this.nodeTypeCount = h.meta.nodeTypes.length;
      this.edgeTypeCount = h.meta.edgeTypes.length;
      this.onHeader?.(h.nodeCount, h.edgeCount);
    }
    this.mode = Mode.CommaOrClose;
    return next;
  }

  private startNumbers(key: string, at: number): void {
    this.count = 0;
    this.field = 0;
    if (key === 'locations') {
      this.section = 2;
      this.locOut = new GrowableUint32();
      return;
    }
    const meta = this.meta;
    if (!meta) this.fail(`the "snapshot" header before "${key}"`, at, 91);
    if (key === 'nodes') {
      this.section = 0;
      const n = this.nodeCount;
      this.nodes = {
        type: new Uint8Array(n),
        name: new Uint32Array(n),
        id: new Uint32Array(n),
        size: new Uint32Array(n),
        firstEdge: new Uint32Array(n + 1),
      };
      this.roles = Uint8Array.from(meta.nodeFields, (f) =>
        Math.max(0, ['', 'type', 'name', 'id', 'self_size', 'edge_count'].indexOf(f)),
      );
    } else {
      this.section = 1;
      const e = this.edgeCount;
      this.edges = { type: new Uint8Array(e), name: new Uint32Array(e), to: new Uint32Array(e) };
      this.roles = Uint8Array.from(meta.edgeFields, (f) =>
        Math.max(0, ['', 'type', 'name_or_index', 'to_node'].indexOf(f)),
      );
    }
  }

  private endNumbers(at: number): void {
    const key = this.key;
    this.done.add(key);
    if (this.section === 2) {
      this.locations = this.locOut!.finish();
      this.locOut = undefined;
      return;
    }
    const [want, what] = this.section === 0 ? [this.nodeCount, 'nodes'] : [this.edgeCount, 'edges'];
    if (this.count !== want || this.field !== 0)
      this.fail(
        `${want} ${what} (${what === 'nodes' ? 'node_count' : 'edge_count'} in the header), found ${this.count}${this.field ? ' and part of one more' : ''}`,
        at,
        93,
      );
    if (this.section === 0 && this.nodes!.firstEdge[this.nodeCount] !== this.edgeCount) {
      this.fail(
        `node edge_count values summing to the header's edge_count ${this.edgeCount} (they sum to ${this.nodes!.firstEdge[this.nodeCount]})`,
        at,
        93,
      );
    }
  }

  private expectation(): string {
    switch (this.mode) {
      case Mode.Open:
        return `'{' (the file is empty)`;
      case Mode.Numbers:
        return `the rest of "${this.key}" (a number, ',' or ']')`;
      case Mode.Strings:
        return 'the rest of "strings"';
      case Mode.Capture:
        return `the rest of "${this.key}"`;
      case Mode.CommaOrClose:
        return `',' or '}' after "${this.key}"`;
      default:
        return 'the rest of the snapshot object';
    }
  }

  /** Call once the whole file was pushed. */
  end(): RawHeapSnapshot {
    const size = this.base;
    if (this.mode !== Mode.Done) {
      throw new PerfloopError(
        'HEAP_SNAPSHOT_TRUNCATED',
        `${this.file}: heap snapshot cut short: expected ${this.expectation()} at byte ${size}, found end of file`,
        {
          hint: 'the file is incomplete (the process may have died while writing it); take the snapshot again',
          exitCode: 2,
        },
      );
    }
    const missing = ['snapshot', 'nodes', 'edges', 'strings'].find((k) =>
      k === 'snapshot' ? !this.meta : k === 'strings' ? !this.strings : !this.done.has(k),
    );
    if (missing) this.fail(`a "${missing}" section`, size - 1, 125);
    const meta = this.meta!;
    const nodes = this.nodes!;
    const edges = this.edges!;
    const strings = this.strings!;
    // Names index the string table, which comes last: checked now.
    const nStrings = strings.length;
    for (let n = 0; n < this.nodeCount; n++) {
      if (nodes.name[n] >= nStrings)
        this.fail(
          `node ${n}'s name to index the ${nStrings} strings (got ${nodes.name[n]})`,
          this.sectionOffsets.nodes,
          91,
        );
    }
    const element = meta.edgeTypes.indexOf('element');
    const hidden = meta.edgeTypes.indexOf('hidden');
    for (let e = 0; e < this.edgeCount; e++) {
      const t = edges.type[e];
      if (t !== element && t !== hidden && edges.name[e] >= nStrings)
        this.fail(
          `edge ${e}'s name to index the ${nStrings} strings (got ${edges.name[e]})`,
          this.sectionOffsets.edges,
          91,
        );
    }
    if (meta.rootIndex >= this.nodeCount || !Number.isInteger(meta.rootIndex))
      this.fail(`root_index pointing at a node`, this.sectionOffsets.snapshot, 123);
    const locations = this.locations ?? new Uint32Array(0);
    const LF = meta.locationFields.length;
    const obj = meta.locationFields.indexOf('object_index');
    if (LF > 0 && obj >= 0) {
      for (let i = obj; i < locations.length; i += LF) {
        const v = locations[i];
        if (v % this.nodeFields !== 0 || v / this.nodeFields >= this.nodeCount)
          this.fail(
            `location object_index values pointing at nodes (got ${v})`,
            this.sectionOffsets.locations,
            91,
          );
        locations[i] = v / this.nodeFields;
      }
    }
    return {
      meta,
      nodeCount: this.nodeCount,
      edgeCount: this.edgeCount,
      nodes,
      edges,
      locations,
      strings,
      sectionOffsets: this.sectionOffsets,
      bytes: size,
    };
  }
}
