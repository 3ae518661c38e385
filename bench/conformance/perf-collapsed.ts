/**
 * perf script conformance with FlameGraph and inferno: every `flamegraph/test/*.txt` imported by perfloop and
 * collapsed the way `stackcollapse-perf.pl --<opt>` collapses it (pid, tid, kernel, jit, all; FlameGraph's
 * test.sh), compared stack by stack and weight by weight with `flamegraph/test/results/<input>-collapsed-<opt>.txt`;
 * and the gzipped example compared with inferno's expected output (its default options).
 *
 * Deliberate differences, applied to the peer's frame names before comparing (a user reads perfloop's form):
 *  - names are demangled (C++ `_Z…`, Rust `…::h<hash>`, `$LT$` escapes): the peers print them mangled;
 *  - Node/V8 JIT symbols (`LazyCompile:*fib /app.js:3`) are a function `fib` in `/app.js` at line 3, and a Java
 *    perf-map descriptor `Ljava/io/File;::open` is `java.io.File.open` as Java tools print it, in every process
 *    (FlameGraph tidies Java only in processes named java*, to `java/io/File:::open`);
 *  - C++ parameter lists are cut at the balanced group at the end, not at the first `(`: `operator()` and
 *    `std::function<void ()>` stay whole (FlameGraph leaves `std::function<void `).
 *  - a stack line with no symbol at all (`7f1e2215d058  (/lib/…/libc-2.15.so)`) is named after its module,
 *    `[libc-2.15.so]`, as both peers name `[unknown]`; FlameGraph keeps a blank frame ` `, which the runner
 *    matches against any `[module]` frame;
 *  - a JIT frame unpacked into its script is not annotated `_[j]`: its module is the script now.
 * `--addrs` (raw addresses for unknown symbols) is not compared: perfloop keeps no addresses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../src/core/profile.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { importProfileFile } from '../../src/profile/import/index.js';
import { isKernelModule, isPerfMap, perfFrames } from '../../src/profile/import/perf-symbol.js';

export interface Comparison {
  peer: string;
  input: string;
  variant: string;
  stacks: number;
  matched: number;
  weightOurs: number;
  weightPeer: number;
  top5Same: boolean;
  agrees: boolean;
  reasons: string[];
  deliberate?: string;
}

const VARIANTS: Record<string, { label: 'comm' | 'pid' | 'tid'; kernel: boolean; jit: boolean }> = {
  pid: { label: 'pid', kernel: false, jit: false },
  tid: { label: 'tid', kernel: false, jit: false },
  kernel: { label: 'comm', kernel: true, jit: false },
  jit: { label: 'comm', kernel: false, jit: true },
  all: { label: 'comm', kernel: true, jit: true },
};

/** perfloop's profile collapsed as the peer collapses: `root;…;leaf` → weight, with the chosen annotations. */
export function collapse(p: Profile, annotate: { kernel: boolean; jit: boolean }): Map<string, number> {
  const w = frameWeights(p);
  const text = p.frames.map((f) => {
    if (annotate.kernel && isKernelModule(f.file)) return `${f.name}_[k]`;
    if (annotate.jit && isPerfMap(f.file) && f.name !== '[unknown]') return `${f.name}_[j]`;
    return f.name;
  });
  const out = new Map<string, number>();
  for (let n = 0; n < p.nodeCount; n++) {
    const self = w.nodeSelf[n];
    if (self <= 0) continue;
    const key = p
      .stackOf(n)
      .map((f) => text[f])
      .join(';');
    out.set(key, (out.get(key) ?? 0) + self);
  }
  return out;
}

const ANNOTATION = /_\[[kji]\]$/;
/** FlameGraph's blank frame (no symbol): matches any `[module]` frame of perfloop's. */
const BLANK = '\u0001';

/** Peer stacks with blank frames, resolved to the one of ours they stand for (when exactly one fits). */
function resolveBlanks(ours: Map<string, number>, peer: Map<string, number>): Map<string, number> {
  if (![...peer.keys()].some((k) => k.includes(BLANK))) return peer;
  const out = new Map<string, number>();
  for (const [k, v] of peer) {
    if (!k.includes(BLANK)) {
      out.set(k, (out.get(k) ?? 0) + v);
      continue;
    }
    const pattern = new RegExp(
      `^${k
        .split(BLANK)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\[[^;\\]]*\\]')}$`,
    );
    const fits = [...ours.keys()].filter((o) => pattern.test(o));
    const key = fits.length === 1 ? fits[0] : k;
    out.set(key, (out.get(key) ?? 0) + v);
  }
  return out;
}

/** A peer's frame text in perfloop's naming (see the deliberate differences above). */
export function normalisePeerFrame(text: string, isRoot: boolean): string {
  if (isRoot) return text;
  const m = ANNOTATION.exec(text);
  const bare = m ? text.slice(0, m.index) : text;
  if (bare === ' ') return BLANK;
  // FlameGraph has already turned the descriptor's `;` into `:` and, in java processes, dropped the `L`.
  const java =
    /^L?([\w$]+(?:\/[\w$]+)+)(?::\.|:::|::)(.*)$/.exec(bare) ?? /^L?([\w$]+(?:\/[\w$]+){2,})$/.exec(bare);
  const raw = java ? `L${java[1]};.${java[2] ?? ''}` : bare;
  const frames = perfFrames(raw, '');
  const name = frames.map((f) => f.name).join(';') || bare;
  const unpackedJit = frames.length === 1 && frames[0].line !== undefined;
  return m && m[0] !== '_[i]' && !(unpackedJit && m[0] === '_[j]') ? `${name}${m[0]}` : name;
}

export function readCollapsed(path: string, normalise = true): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const sp = line.lastIndexOf(' ');
    const names = line.slice(0, sp).split(';');
    const key = normalise ? names.map((n, i) => normalisePeerFrame(n, i === 0)).join(';') : names.join(';');
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(sp + 1)));
  }
  return out;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);

/** The five heaviest leaf frames by self weight. */
function top5(m: Map<string, number>): string[] {
  const self = new Map<string, number>();
  for (const [k, v] of m) {
    const leaf = k.slice(k.lastIndexOf(';') + 1);
    self.set(leaf, (self.get(leaf) ?? 0) + v);
  }
  const sorted = [...self].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  // Ties at the fifth place make any order right: compare the set of frames at least as heavy as the fifth.
  const cut = sorted[Math.min(4, sorted.length - 1)]?.[1] ?? 0;
  return sorted
    .filter(([, v]) => v >= cut)
    .map(([k]) => k)
    .sort();
}

export function compareCollapsed(
  ours: Map<string, number>,
  peer: Map<string, number>,
  what: Omit<
    Comparison,
    'stacks' | 'matched' | 'weightOurs' | 'weightPeer' | 'top5Same' | 'agrees' | 'reasons'
  >,
): Comparison {
  peer = resolveBlanks(ours, peer);
  const reasons: string[] = [];
  let matched = 0;
  for (const [k, v] of peer) {
    const got = ours.get(k);
    if (got === undefined) reasons.push(`missing stack ${k} ${v}`);
    else if (Math.abs(got - v) > 1e-6 * Math.max(1, v)) reasons.push(`stack ${k}: weight ${got}, peer ${v}`);
    else matched++;
  }
  for (const [k, v] of ours) if (!peer.has(k)) reasons.push(`extra stack ${k} ${v}`);
  const weightOurs = sum(ours);
  const weightPeer = sum(peer);
  const a = top5(ours);
  const b = top5(peer);
  const top5Same = a.length === b.length && a.every((x, i) => x === b[i]);
  if (!top5Same) reasons.push(`top frames ${a.join(', ')} vs ${b.join(', ')}`);
  const totalsClose = Math.abs(weightOurs - weightPeer) <= 0.005 * Math.max(1, weightPeer);
  const agrees = matched === peer.size && ours.size === peer.size && totalsClose && top5Same;
  return { ...what, stacks: peer.size, matched, weightOurs, weightPeer, top5Same, agrees, reasons };
}

/** Every FlameGraph test input × variant, and inferno's example. */
export async function perfConformance(corpus: string): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const testDir = join(corpus, 'flamegraph', 'test');
  for (const file of readdirSync(testDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    for (const [variant, v] of Object.entries(VARIANTS)) {
      const input = join(testDir, file);
      const expected = join(testDir, 'results', `${file.slice(0, -4)}-collapsed-${variant}.txt`);
      const p = await importProfileFile(input, { format: 'perf-script', perfProcessLabel: v.label });
      out.push(
        compareCollapsed(collapse(p, v), readCollapsed(expected), {
          peer: 'FlameGraph',
          input: `flamegraph/test/${file}`,
          variant,
        }),
      );
    }
  }
  const example = join(corpus, 'flamegraph', 'example-perf-stacks.txt.gz');
  const p = await importProfileFile(example, { format: 'perf-script' });
  out.push(
    compareCollapsed(
      collapse(p, { kernel: false, jit: false }),
      readCollapsed(
        join(corpus, 'inferno/tests/data/collapse-perf/results/example-perf-stacks-collapsed.txt'),
      ),
      { peer: 'inferno', input: 'flamegraph/example-perf-stacks.txt.gz', variant: 'default' },
    ),
  );
  return out;
}
