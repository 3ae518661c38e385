import type { Profile } from '../../core/profile.js';
import { isAppFile } from './categories.js';
import type { FrameWeights } from './weights.js';
import { pctOf } from './tree-stats.js';

/** A frame, as a report names it. */
export interface FrameRef {
  function: string;
  file: string | null;
  line: number | null;
}

/** One way into a package's hot code: the caller outside it, the package function it called, and the time below. */
export interface DependencyEntry {
  caller: FrameRef | null;
  /** The package's function the caller called (the top of the run of the package's frames). */
  entry: FrameRef;
  /** The nearest frame of the service's own code above, when the caller is not (a dependency calling another). */
  appFrame: FrameRef | null;
  /** Share of non-idle CPU spent in the package (and the runtime code it calls) below this entry. */
  pct: number;
}

export interface DependencyShare {
  /** npm package name, e.g. `lodash`, `@scope/name`. */
  name: string;
  /** Share of non-idle CPU whose innermost package on the stack is this one. */
  pct: number;
  entries: DependencyEntry[];
}

const PACKAGE = /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//;

/** The npm package a frame's file belongs to (the innermost node_modules folder), or null. */
export function packageOf(file: string | undefined | null): string | null {
  const m = PACKAGE.exec(file ?? '');
  return m ? m[1] : null;
}

/** `json-server/…/plural.js:177`: the package, the file's name and line, without the path between. */
export function shortPlace(ref: FrameRef): string {
  if (!ref.file) return '';
  const pkg = packageOf(ref.file);
  const rest = pkg ? ref.file.slice(ref.file.lastIndexOf(`node_modules/${pkg}/`) + `node_modules/${pkg}/`.length) : ref.file;
  const base = rest.split('/').pop() ?? rest;
  const place = pkg ? (rest.includes('/') ? `${pkg}/…/${base}` : `${pkg}/${base}`) : rest.split('/').slice(-2).join('/');
  return `${place}${ref.line ? `:${ref.line}` : ''}`;
}

/**
 * CPU by the package whose code is innermost on the stack (runtime frames below it — builtins, JSON.stringify,
 * node core — count for it: it made them run), and for each package the ways into that time: the first frame
 * outside the package above the run of its frames (the service's function, or — when the service *is* a
 * dependency, like json-server — that dependency's own function), with the package function it called.
 *
 * Why "the run of frames" and not the package's topmost frame: a framework (express) sits at the root of
 * every stack; its topmost frame is where node:http calls it, which says nothing. The run that ends in the
 * hot code (express's `res.json` → `stringify`, called from json-server's `render`) is the way in.
 */
export function dependencyShares(p: Profile, w: FrameWeights): DependencyShare[] {
  const framePkg = p.frames.map((f) => (f.kind === 'code' ? packageOf(f.file) : null));
  const isApp = p.frames.map((f) => f.kind === 'code' && isAppFile(f.file));
  // Packages as small integers, so the per-node arrays are typed (-1: none), not arrays of millions of strings.
  const pkgNames: string[] = [];
  const pkgIds = new Map<string, number>();
  const framePkgId = new Int32Array(p.frames.length);
  for (let f = 0; f < p.frames.length; f++) {
    const pkg = framePkg[f];
    let id = -1;
    if (pkg !== null) {
      id = pkgIds.get(pkg) ?? -1;
      if (id < 0) pkgIds.set(pkg, (id = pkgNames.push(pkg) - 1));
    }
    framePkgId[f] = id;
  }
  if (pkgNames.length === 0) return []; // no package anywhere: no run, no share
  const nodes = p.nodeCount;
  /** Per node: the package of the innermost run it belongs to (-1: none), and that run's top node. */
  const runPkg = new Int32Array(nodes).fill(-1);
  const runTop = new Int32Array(nodes).fill(-1);
  const appAbove = new Int32Array(nodes).fill(-1);
  for (let n = 0; n < nodes; n++) {
    const f = p.nodeFrame[n];
    const parent = p.nodeParent[n];
    const pkg = framePkgId[f];
    appAbove[n] = isApp[f] ? n : parent >= 0 ? appAbove[parent] : -1;
    if (pkg >= 0) {
      runPkg[n] = pkg;
      runTop[n] = parent >= 0 && runPkg[parent] === pkg ? runTop[parent] : n;
    } else if (!isApp[f] && parent >= 0) {
      // Runtime frames (builtins, node core, native) belong to the run that called them.
      runPkg[n] = runPkg[parent];
      runTop[n] = runTop[parent];
    }
  }
  const byPkg = new Map<string, { weight: number; entries: Map<number, number> }>();
  for (let n = 0; n < nodes; n++) {
    const pkgId = runPkg[n];
    if (pkgId < 0 || w.nodeSelf[n] === 0 || p.frames[p.nodeFrame[n]].kind !== 'code') continue;
    const pkg = pkgNames[pkgId];
    let s = byPkg.get(pkg);
    if (!s) byPkg.set(pkg, (s = { weight: 0, entries: new Map() }));
    s.weight += w.nodeSelf[n];
    s.entries.set(runTop[n], (s.entries.get(runTop[n]) ?? 0) + w.nodeSelf[n]);
  }
  const ref = (n: number): FrameRef => {
    const fr = p.frames[p.nodeFrame[n]];
    return { function: fr.name || '(anonymous)', file: fr.file ?? null, line: fr.line ?? null };
  };
  /** The caller of a run's top: the nearest frame above it that is code with a file (skipping node core). */
  const callerOf = (top: number): number => {
    for (let n = p.nodeParent[top]; n >= 0; n = p.nodeParent[n]) {
      const f = p.frames[p.nodeFrame[n]];
      if (f.kind === 'code' && (isApp[p.nodeFrame[n]] || framePkg[p.nodeFrame[n]] !== null)) return n;
    }
    return -1;
  };
  return [...byPkg.entries()]
    .map(([name, s]) => {
      // The same caller → entry pair appears under many parents: merge by frames.
      const merged = new Map<string, DependencyEntry & { weight: number }>();
      for (const [top, weight] of s.entries) {
        const caller = callerOf(top);
        const app = caller >= 0 && !isApp[p.nodeFrame[caller]] && appAbove[caller] >= 0 ? appAbove[caller] : -1;
        const key = `${caller < 0 ? -1 : p.nodeFrame[caller]}:${p.nodeFrame[top]}:${app < 0 ? -1 : p.nodeFrame[app]}`;
        const e = merged.get(key);
        if (e) e.weight += weight;
        else
          merged.set(key, {
            caller: caller < 0 ? null : ref(caller),
            entry: ref(top),
            appFrame: app < 0 ? null : ref(app),
            pct: 0,
            weight,
          });
      }
      const entries = [...merged.values()]
        .sort((a, b) => b.weight - a.weight)
        .map(({ weight, ...e }) => ({ ...e, pct: pctOf(weight, w.active) }));
      return { name, pct: pctOf(s.weight, w.active), entries };
    })
    .sort((a, b) => b.pct - a.pct);
}
