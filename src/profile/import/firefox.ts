/**
 * Firefox/Gecko profiles, both shapes the Firefox profiler opens:
 *  - the Gecko profile Firefox itself writes (https://github.com/firefox-devtools/profiler/blob/main/docs-developer/gecko-profile-format.md):
 *    `{meta, libs, threads, processes}`, each thread's tables as `{schema, data}` rows and a `stringTable`, child
 *    processes nested under `processes`; old Firefox DevTools' "Save" wraps it as `{label, duration, …, profile}`;
 *  - the processed profile the Firefox profiler saves and samply and Vernier write
 *    (https://github.com/firefox-devtools/profiler/blob/main/docs-developer/processed-profile-format.md): tables as
 *    columns (`stackTable.prefix[]`, `frameTable.func[]`, `funcTable.name[]`…), strings in the thread's
 *    `stringArray`/`stringTable` or in `shared.stringArray` (newer versions share tables between threads).
 * One profile per thread (`--thread NAME|tid|all`; the default merges them, with a warning naming them). A sample
 * lasts until its thread's next sample (speedscope and the Firefox profiler's "traced" timing); the last one for the
 * sampling interval. Samples weighed by `tracing-ms` or `bytes` keep those weights. `(root)` is the tree's top,
 * not a frame; a JS frame's location `name (url:line:col)` becomes name, file, line and column.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile, type ProfileUnit } from '../../core/profile.js';
import { mergeProfiles } from '../transform/merge.js';
import { scanJson } from './json-stream.js';
import { jsonKeys } from './likely-format.js';
import { displayName, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

interface FrameInfo {
  name: string;
  file?: string;
  line?: number;
  col?: number;
  kind: FrameKind;
}

/** One thread, whichever shape it came in: samples, the stack tree, and each stack node's frame. */
interface ThreadData {
  label: string;
  name: string;
  tid: string;
  /** Per sample: stack index (-1 = none), time (ms), weight when the file gives one. */
  stack: Int32Array;
  time: Float64Array;
  weight?: Float64Array;
  weightType: 'ms' | 'bytes' | 'samples';
  prefix: Int32Array;
  stackFrame: Int32Array;
  frame(i: number): FrameInfo | undefined;
}

/** `name (url:line:col)`: JS; the url may be a loader chain `a.js -> b.js` (the last is the source). */
const JS_LOCATION = /^(.*) \(([^()]*?)(?::(\d+))?(?::(\d+))?\)$/;
const URL_ONLY =
  /^(?:\S+ -> )*((?:https?|file|resource|chrome|moz-extension|blob):\S*?|self-hosted)(?::(\d+))?(?::(\d+))?$/;

/** A raw Gecko frame's location string as name, file, line. */
export function geckoLocation(location: string): Omit<FrameInfo, 'kind'> {
  const js = JS_LOCATION.exec(location);
  if (js && js[2] && (js[3] !== undefined || /[:/]/.test(js[2]) || js[2] === 'self-hosted')) {
    const file = js[2].split(' -> ').pop() ?? js[2];
    return { name: js[1] || '(anonymous)', file, line: int(js[3]), col: int(js[4]) };
  }
  const top = URL_ONLY.exec(location);
  if (top) return { name: '(top-level)', file: top[1], line: int(top[2]), col: int(top[3]) };
  return { name: location || '(unknown)' };
}

const int = (s: string | undefined) => (s === undefined ? undefined : Number(s));

function kindOfCategory(name: string | undefined): FrameKind {
  if (name === 'Idle') return 'idle';
  if (name === 'GC / CC') return 'gc';
  return 'code';
}

/** Column `name` of a raw `{schema, data}` table: the index, or -1. */
function col(table: Obj, name: string): number {
  const schema = table.schema;
  if (Array.isArray(schema)) return schema.indexOf(name); // some versions list the columns
  const i = isObj(schema) ? schema[name] : undefined;
  return typeof i === 'number' ? i : -1;
}

function rows(table: unknown): unknown[][] {
  return isObj(table) ? (arr(table.data) as unknown[][]).map((r) => (Array.isArray(r) ? r : [])) : [];
}

/** Indices (stack, prefix, frame); anything else (null for "none", garbage) is -1. */
function intColumn(n: number, at: (i: number) => unknown): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = at(i);
    out[i] = typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : -1;
  }
  return out;
}

function threadLabel(t: Obj, index: number): { label: string; name: string; tid: string } {
  const name = typeof t.name === 'string' && t.name ? t.name : `thread ${index}`;
  const tid = t.tid === undefined || t.tid === null ? String(index) : String(t.tid);
  const proc = typeof t.processType === 'string' ? `${t.processType} ` : '';
  const pid = t.pid === undefined || t.pid === null ? '' : `pid ${String(t.pid)}, `;
  return { label: `${proc}${name} (${pid}tid ${tid})`, name, tid };
}

/** A thread of the raw Gecko profile (`{schema, data}` tables, `stringTable`). */
function geckoThread(t: Obj, index: number, categories: string[], timeOffset: number): ThreadData {
  const strings = arr(t.stringTable).map((s) => (typeof s === 'string' ? s : ''));
  const samples = isObj(t.samples) ? t.samples : {};
  const sRows = rows(samples);
  const sStack = col(samples, 'stack');
  const sTime = col(samples, 'time');
  const sWeight = col(samples, 'weight');
  const stacks = isObj(t.stackTable) ? t.stackTable : {};
  const stRows = rows(stacks);
  const frames = isObj(t.frameTable) ? t.frameTable : {};
  const fRows = rows(frames);
  const fLoc = col(frames, 'location');
  const fLine = col(frames, 'line');
  const fCol = col(frames, 'column');
  const fCat = col(frames, 'category');
  const stPrefix = col(stacks, 'prefix');
  const stFrame = col(stacks, 'frame');
  const n = sRows.length;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = (num(sRows[i][sTime]) ?? NaN) + timeOffset;
  const weightType =
    samples.weightType === 'tracing-ms' ? 'ms' : samples.weightType === 'bytes' ? 'bytes' : 'samples';
  let weight: Float64Array | undefined;
  if (sWeight >= 0 && weightType !== 'samples') {
    weight = new Float64Array(n);
    for (let i = 0; i < n; i++) weight[i] = num(sRows[i][sWeight]) ?? 0;
  }
  const cache = new Map<number, FrameInfo | undefined>();
  return {
    ...threadLabel(t, index),
    stack: intColumn(n, (i) => sRows[i][sStack]),
    time,
    weight,
    weightType,
    prefix: intColumn(stRows.length, (i) => stRows[i][stPrefix]),
    stackFrame: intColumn(stRows.length, (i) => stRows[i][stFrame]),
    frame(i) {
      if (cache.has(i)) return cache.get(i);
      const row = fRows[i];
      let info: FrameInfo | undefined;
      if (row) {
        const loc = strings[num(row[fLoc]) ?? -1] ?? '';
        if (loc !== '(root)') {
          const parsed = geckoLocation(loc);
          const cat = fCat >= 0 ? num(row[fCat]) : undefined;
          // A C++ label frame's line is in Gecko's source, which the profile does not name: left out.
          info = {
            ...parsed,
            line: parsed.file ? (parsed.line ?? positive(row[fLine])) : undefined,
            col: parsed.file ? (parsed.col ?? positive(row[fCol])) : undefined,
            kind: kindOfCategory(cat === undefined ? undefined : categories[cat]),
          };
        }
      }
      cache.set(i, info);
      return info;
    },
  };
}

const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);

/** A thread of the processed profile (column tables); `shared` holds what newer versions share between threads. */
function processedThread(
  t: Obj,
  index: number,
  shared: Obj,
  categories: string[],
  libs: string[],
): ThreadData {
  const table = (name: string): Obj => {
    const v = t[name] ?? shared[name];
    return isObj(v) ? v : {};
  };
  const strings = arr(
    t.stringArray ?? (Array.isArray(t.stringTable) ? t.stringTable : shared.stringArray),
  ).map((s) => (typeof s === 'string' ? s : ''));
  const samples = table('samples');
  const stacks = table('stackTable');
  const frames = table('frameTable');
  const funcs = table('funcTable');
  const resources = table('resourceTable');
  const sStack = arr(samples.stack);
  const n = sStack.length;
  const time = new Float64Array(n);
  const deltas = arr(samples.timeDeltas);
  const times = arr(samples.time);
  for (let i = 0, at = 0; i < n; i++) {
    if (deltas.length) time[i] = at += num(deltas[i]) ?? 0;
    else time[i] = num(times[i]) ?? NaN;
  }
  const weightType =
    samples.weightType === 'tracing-ms' ? 'ms' : samples.weightType === 'bytes' ? 'bytes' : 'samples';
  let weight: Float64Array | undefined;
  const w = arr(samples.weight);
  if (w.length && weightType !== 'samples')
    weight = Float64Array.from({ length: n }, (_, i) => num(w[i]) ?? 0);
  const prefix = arr(stacks.prefix);
  const stackFrame = arr(stacks.frame);
  const fFunc = arr(frames.func);
  const fLine = arr(frames.line);
  const fCol = arr(frames.column);
  const fCat = arr(frames.category);
  const fnName = arr(funcs.name);
  const fnFile = arr(funcs.fileName);
  const fnLine = arr(funcs.lineNumber);
  const fnCol = arr(funcs.columnNumber);
  const fnResource = arr(funcs.resource);
  const resLib = arr(resources.lib);
  const resName = arr(resources.name);
  const str = (v: unknown) => (typeof v === 'number' ? strings[v] : undefined);
  const cache = new Map<number, FrameInfo | undefined>();
  return {
    ...threadLabel(t, index),
    stack: intColumn(n, (i) => sStack[i]),
    time,
    weight,
    weightType,
    prefix: intColumn(prefix.length, (i) => prefix[i]),
    stackFrame: intColumn(stackFrame.length, (i) => stackFrame[i]),
    frame(i) {
      if (cache.has(i)) return cache.get(i);
      const fn = num(fFunc[i]);
      let info: FrameInfo | undefined;
      if (fn !== undefined) {
        const name = str(fnName[fn]) ?? '(unknown)';
        if (name !== '(root)') {
          const res = num(fnResource[fn]);
          const lib = res === undefined || res < 0 ? undefined : num(resLib[res]);
          // A native frame's "file" is its library, as perf's [module]; a JS frame's is its script.
          const file =
            str(fnFile[fn]) ??
            (lib !== undefined ? libs[lib] : res !== undefined && res >= 0 ? str(resName[res]) : undefined);
          const cat = num(fCat[i]);
          info = {
            name,
            file: file || undefined,
            line: positive(fLine[i]) ?? positive(fnLine[fn]),
            col: positive(fCol[i]) ?? positive(fnCol[fn]),
            kind: kindOfCategory(cat === undefined ? undefined : categories[cat]),
          };
        }
      }
      cache.set(i, info);
      return info;
    },
  };
}

/** The threads of a Gecko profile and of its child processes (each may be a JSON string in older versions). */
function geckoThreads(
  profile: Obj,
  out: ThreadData[],
  rootStart: number | undefined,
  where: string,
  depth = 0,
): void {
  if (depth > 16) return;
  const meta = isObj(profile.meta) ? profile.meta : {};
  const start = num(meta.startTime);
  const offset = rootStart !== undefined && start !== undefined ? start - rootStart : 0;
  const categories = arr(meta.categories).map((c) => (isObj(c) && typeof c.name === 'string' ? c.name : ''));
  const processed = meta.preprocessedProfileVersion !== undefined || isObj(profile.shared);
  const libs = arr(profile.libs).map((l) => (isObj(l) ? String(l.debugName ?? l.name ?? '') : ''));
  const shared = isObj(profile.shared) ? profile.shared : {};
  arr(profile.threads).forEach((raw, i) => {
    const t = typeof raw === 'string' ? parseNested(raw, `${where}: threads[${i}]`) : raw;
    if (!isObj(t)) return;
    const processedThreadShape = processed || Array.isArray(isObj(t.samples) ? t.samples.stack : undefined);
    out.push(
      processedThreadShape
        ? processedThread(t, out.length, shared, categories, libs)
        : geckoThread(t, out.length, categories, offset),
    );
  });
  arr(profile.processes).forEach((raw, i) => {
    const p = typeof raw === 'string' ? parseNested(raw, `${where}: processes[${i}]`) : raw;
    if (isObj(p)) geckoThreads(p, out, rootStart ?? start, `${where}: processes[${i}]`, depth + 1);
  });
}

function parseNested(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: not JSON (${(e as Error).message})`);
  }
}

export async function importFirefox(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: Firefox profile`;
  const top: Obj = {};
  const threads: unknown[] = [];
  const processes: unknown[] = [];
  await scanJson(
    src,
    {
      mode: (key) =>
        key === 'threads' || key === 'processes'
          ? 'elements'
          : key === 'meta' || key === 'shared' || key === 'libs' || key === 'profile'
            ? 'value'
            : 'skip',
      value: (key, v) => {
        top[key] = v;
      },
      element: (key, v) => (key === 'threads' ? threads : processes).push(v),
    },
    where,
    options.progress,
  );
  // DevTools' export wraps the Gecko profile in `profile`.
  const profile: Obj = isObj(top.profile) ? top.profile : { ...top, threads, processes };
  if (!isObj(profile.meta) || !Array.isArray(profile.threads)) {
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no "meta" and "threads": not a Gecko profile`);
  }
  const all: ThreadData[] = [];
  geckoThreads(profile, all, undefined, where);
  const interval = num(profile.meta.interval) ?? 1;
  const warnings: string[] = [];
  const built: { b: ProfileBuilder; unit: ProfileUnit }[] = [];
  const labels: string[] = [];
  const wanted = options.thread && options.thread !== 'all' ? options.thread : undefined;
  for (const t of all) {
    if (wanted !== undefined && wanted !== t.name && wanted !== t.tid) continue;
    const p = buildThread(t, interval, `${displayName(src)} · ${t.label}`, warnings);
    if (p) {
      built.push({ b: p, unit: t.weightType === 'bytes' ? 'bytes' : 'us' });
      labels.push(t.label);
    }
  }
  if (built.length === 0) {
    throw new PerfloopError(
      wanted === undefined ? 'PROFILE_EMPTY' : 'PROFILE_BAD_FORMAT',
      `${where}: ${wanted !== undefined ? `no thread named ${JSON.stringify(wanted)} with samples` : 'no thread has samples'}`,
      all.length ? { hint: `threads: ${all.map((t) => t.label).join('; ')}` } : {},
    );
  }
  if (built.length > 1) {
    if (new Set(built.map((x) => x.unit)).size > 1) {
      for (let i = built.length - 1; i >= 0; i--)
        if (built[i].unit !== 'us') {
          built.splice(i, 1);
          labels.splice(i, 1);
        }
      warnings.push(`threads weighed in bytes left out of the time profile; choose one with --thread`);
    }
    if (built.length > 1)
      warnings.push(`${built.length} threads merged (${labels.join('; ')}); choose one with --thread`);
  }
  const extra = warnings.length ? { warnings } : {};
  if (built.length === 1) return built[0].b.build(extra);
  return mergeProfiles(
    built.map((x) => x.b.build()),
    { format: 'firefox', name: displayName(src), ...extra },
  );
}

function buildThread(
  t: ThreadData,
  interval: number,
  name: string,
  warnings: string[],
): ProfileBuilder | undefined {
  const unit: ProfileUnit = t.weightType === 'bytes' ? 'bytes' : 'us';
  const b = new ProfileBuilder({ format: 'firefox', name }, unit, { timed: true });
  const ours = new Map<number, number>(); // file frame index → builder frame
  const node = new Int32Array(t.prefix.length).fill(-2); // stack index → builder node (-2: not yet, -1: empty)
  let broken = 0;
  const nodeOf = (s: number): number => {
    // Walk up to a known node iteratively (stacks can be thousands deep), then create downwards.
    const path: number[] = [];
    let cur = s;
    for (let guard = 0; cur >= 0 && cur < node.length && node[cur] === -2; guard++) {
      if (guard > t.prefix.length) {
        broken++;
        return -1; // a prefix cycle
      }
      path.push(cur);
      cur = t.prefix[cur];
    }
    let parent = cur >= 0 && cur < node.length ? node[cur] : -1;
    if (cur >= node.length) broken++;
    for (let k = path.length - 1; k >= 0; k--) {
      const fi = t.stackFrame[path[k]];
      const info = fi >= 0 ? t.frame(fi) : undefined;
      if (fi < 0) broken++;
      if (info) {
        let f = ours.get(fi);
        if (f === undefined) ours.set(fi, (f = b.frame(info)));
        parent = b.node(parent, f);
      }
      node[path[k]] = parent;
    }
    return parent;
  };
  const n = t.stack.length;
  const first = n ? t.time[0] : 0;
  for (let i = 0; i < n; i++) {
    const s = t.stack[i];
    if (s < 0 || !Number.isFinite(t.time[i])) continue;
    const leaf = s < node.length ? nodeOf(s) : (broken++, -1);
    let w: number;
    if (t.weight) w = t.weightType === 'ms' ? t.weight[i] * 1000 : t.weight[i];
    else {
      let next = NaN;
      for (let j = i + 1; j < n && !Number.isFinite(next); j++) next = t.time[j];
      w = (Number.isFinite(next) ? next - t.time[i] : interval) * 1000;
    }
    if (w > 0) b.sample(leaf, w, (t.time[i] - first) * 1000);
  }
  if (broken > 0)
    warnings.push(`${t.label}: ${broken} reference(s) to stacks or frames not in the file left out`);
  return b.sampleCount === 0 ? undefined : b;
}

/** A Gecko or processed profile: `meta` and `threads` (anywhere in the first part), or DevTools' wrapper. */
export function looksLikeFirefox(text: string, keys: ReadonlySet<string>): boolean {
  return (
    (keys.has('meta') &&
      keys.has('threads') &&
      (keys.has('libs') || keys.has('samples') || keys.has('interval'))) ||
    // Firefox 59's "Save as file" of the old profiler UI: the profile is under "profile" after the markers.
    (/^\s*\{\s*"label"\s*:/.test(text) && keys.has('duration') && keys.has('markers'))
  );
}

export const firefoxImporter: ProfileImporter = {
  format: 'firefox',
  sniff: (_b, text) => /^\s*\{/.test(text) && looksLikeFirefox(text, jsonKeys(text)),
  importFrom: importFirefox,
};
