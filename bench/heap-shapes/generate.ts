/**
 * Writes real heap snapshots (v8.writeHeapSnapshot) of small programs of one shape each — the shapes that
 * make heap analysers slow or wrong: million-long chains, wide fan-outs, huge and duplicated strings, closures
 * with large contexts, typed arrays, big Maps/Sets, cycles, promise chains, and one ordinary mixed program.
 *
 *   node --max-old-space-size=16000 dist/bench/heap-shapes/generate.js SHAPE UNITS OUT [ROUNDS]
 *
 * Builds UNITS units of SHAPE (see SHAPES) ROUNDS times (default 1), writing OUT-<round>.heapsnapshot after
 * each round — a series of one process whose heap grows, for `heap diff`. Deterministic (seeded), so the same
 * arguments give the same heap. Run it in its own process: the heap it builds is the point.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';

/** Everything built stays reachable from here (a global, as a service's caches are). */
const keep: unknown[] = [];
(globalThis as { heapShapeKeep?: unknown }).heapShapeKeep = keep;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

interface ListNode {
  next: ListNode | null;
  value: number;
  label: string;
}

class Item {
  readonly name: string;
  readonly tags: Array<number | string>;
  constructor(readonly id: number) {
    this.name = `item-${id}`;
    this.tags = [id, `tag${id % 100}`];
  }
  get(): number {
    return this.id;
  }
}

class Customer {
  orders: Order[] = [];
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}
class Order {
  lines: OrderLine[] = [];
  constructor(
    readonly id: number,
    readonly customer: Customer,
  ) {}
}
class OrderLine {
  constructor(
    readonly order: Order,
    readonly sku: string,
    readonly qty: number,
  ) {}
}

/** One round of each shape, `units` big. Approximate snapshot bytes per unit are in BYTES_PER_UNIT. */
export const SHAPES: Record<string, (units: number, round: number) => unknown> = {
  /** One singly linked list, `units` long: a dominator chain `units` deep. */
  'deep-list'(units, round) {
    let head: ListNode | null = (keep[round - 1] as ListNode | undefined) ?? null;
    for (let i = 0; i < units; i++) head = { next: head, value: i, label: `n${i % 1000}` };
    return head;
  },
  /** One array of `units` small objects: a node with millions of children. */
  'wide-fanout'(units) {
    const wide = new Array<{ i: number; k: string }>(units);
    for (let i = 0; i < units; i++) wide[i] = { i, k: `k${i % 5000}` };
    return wide;
  },
  /** A Map of small class instances, each with a method closure and a tags array (the original bench). */
  'small-objects'(units, round) {
    const store = new Map<string, Item>();
    for (let i = 0; i < units; i++) store.set(`key-${round}-${i}`, new Item(i));
    return store;
  },
  /** Closures, each holding a context with an array, an object and a string. */
  closures(units) {
    const make = (i: number) => {
      const numbers = [i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7];
      const meta = { i, tag: `c${i % 777}` };
      const text = `closure-${i}`;
      return () => numbers.length + meta.i + text.length;
    };
    const fns: Array<() => number> = [];
    for (let i = 0; i < units; i++) fns.push(make(i));
    return fns;
  },
  /**
   * Strings: 100 MB of 1 MB strings held twice each (equal content, separate copies), then `units` medium
   * strings — flat, cons (concatenations) and sliced — with many duplicates.
   */
  'huge-strings'(units, round) {
    const big: string[] = [];
    if (round === 0) {
      for (let k = 0; k < 50; k++) {
        const piece = `huge-${k}-`;
        big.push(piece.repeat(Math.ceil((1 << 20) / piece.length)), piece.repeat(Math.ceil((1 << 20) / piece.length)));
      }
    }
    const medium: string[] = [];
    const base = 'abcdefghijklmnopqrstuvwxyz'.repeat(40);
    for (let i = 0; i < units; i++) {
      const k = i % 20_000;
      if (i % 3 === 0) medium.push(`row ${k}: ${'x'.repeat(40 + (k % 60))}`);
      else if (i % 3 === 1) medium.push(`left-${k}-`.padEnd(30, '.') + base.slice(0, 20 + (k % 50)));
      else medium.push(base.substring(k % 500, (k % 500) + 30 + (k % 200)));
    }
    return { big, medium };
  },
  /** Typed arrays and ArrayBuffers: small views, views sharing buffers, DataViews, a few large buffers. */
  'typed-arrays'(units, round) {
    const out: unknown[] = [];
    if (round === 0) for (let k = 0; k < 8; k++) out.push(new ArrayBuffer(8 << 20));
    for (let i = 0; i < units; i++) {
      if (i % 4 === 0) out.push(new Float64Array(8).fill(i));
      else if (i % 4 === 1) out.push(new Uint8Array(64));
      else if (i % 4 === 2) {
        const shared = new ArrayBuffer(128);
        out.push(new Int32Array(shared, 0, 8), new DataView(shared, 64));
      } else out.push(new ArrayBuffer(32));
    }
    return out;
  },
  /** One Map and one Set of `units` entries each. */
  'map-set'(units, round) {
    const map = new Map<number, { v: number }>();
    const set = new Set<{ s: number }>();
    for (let i = 0; i < units; i++) {
      map.set(round * units + i, { v: i });
      set.add({ s: i });
    }
    return { map, set };
  },
  /** Cycles: a doubly linked ring of `units` nodes, each with a back-reference to the ring and a random link. */
  cycles(units) {
    interface Ring {
      nodes: RingNode[];
    }
    interface RingNode {
      prev: RingNode | null;
      next: RingNode | null;
      ring: Ring;
      other: RingNode | null;
      i: number;
    }
    const ring: Ring = { nodes: [] };
    let prev: RingNode | null = null;
    for (let i = 0; i < units; i++) {
      const n: RingNode = { prev, next: null, ring, other: null, i };
      if (prev) prev.next = n;
      ring.nodes.push(n);
      prev = n;
    }
    const nodes = ring.nodes;
    if (nodes.length > 0) {
      nodes[0].prev = nodes[nodes.length - 1];
      nodes[nodes.length - 1].next = nodes[0];
    }
    for (const n of nodes) n.other = nodes[Math.floor(random() * nodes.length)];
    // The ring's array is dropped: only the ring links themselves hold it (a cycle the root reaches once).
    const entry = nodes[0];
    ring.nodes = [];
    return entry;
  },
  /** Promises: chains of pending promises with reactions waiting, and settled ones holding results. */
  promises(units) {
    const pending: Array<Promise<unknown>> = [];
    let chain: Promise<unknown> = new Promise(() => {});
    for (let i = 0; i < units; i++) {
      if (i % 2 === 0) chain = chain.then(() => i);
      else pending.push(Promise.resolve({ result: i }));
    }
    return { chain, pending };
  },
  /**
   * An ordinary service's heap: customers, orders and order lines with back-references, a Map and a Set over
   * them, closures, a long linked list, a big array, cons and sliced strings, typed arrays, BigInts, promises
   * and WeakMaps (the program that took perfloop 36 s against memlab's 27.5 s).
   */
  mixed(units, round) {
    const byId = new Map<number, Customer>();
    const vip = new Set<Customer>();
    const notes = new WeakMap<Order, string>();
    const handlers: Array<() => number> = [];
    let log: ListNode | null = null;
    const all: unknown[] = [];
    const customers = Math.max(1, Math.floor(units / 10));
    for (let c = 0; c < customers; c++) {
      const cust = new Customer(round * customers + c, `customer ${c}`);
      byId.set(cust.id, cust);
      if (c % 7 === 0) vip.add(cust);
      for (let o = 0; o < 3; o++) {
        const order = new Order(c * 3 + o, cust);
        cust.orders.push(order);
        notes.set(order, `note for ${order.id}`);
        for (let l = 0; l < 2; l++) order.lines.push(new OrderLine(order, `sku-${(c + l) % 3000}`, l + 1));
      }
      handlers.push(() => cust.orders.length);
      log = { next: log, value: c, label: `event ${c % 100}` };
      all.push({ c, big: BigInt(c) * 1_000_000_007n, buf: new Uint8Array(16), text: `${cust.name}, ${cust.orders.length} orders`.slice(2) });
      if (c % 50 === 0) all.push(new Promise(() => {}).then(() => cust));
    }
    return { byId, vip, notes, handlers, log, all };
  },
};

/** Snapshot bytes per unit of each shape above an empty heap's ~4.3 MB (measured on Node 20 at 100k units). */
export const BYTES_PER_UNIT: Record<string, number> = {
  'deep-list': 119,
  'wide-fanout': 146,
  'small-objects': 422,
  closures: 578,
  'huge-strings': 364,
  'typed-arrays': 212,
  'map-set': 154,
  cycles: 112,
  promises: 79,
  mixed: 402,
};

function main(): void {
  const [shape, unitsArg, out, roundsArg] = process.argv.slice(2);
  const build = SHAPES[shape];
  if (!build || !out) {
    process.stderr.write(`usage: generate.js SHAPE UNITS OUT [ROUNDS] — shapes: ${Object.keys(SHAPES).join(', ')}\n`);
    process.exit(2);
  }
  const units = Number(unitsArg);
  const rounds = Number(roundsArg ?? 1);
  for (let r = 0; r < rounds; r++) {
    keep.push(build(units, r));
    writeHeapSnapshot(`${out}-${r}.heapsnapshot`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
