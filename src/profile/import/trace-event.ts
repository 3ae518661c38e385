/**
 * Trace Event Format duration events: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
 * `B`/`E` (begin/end) and `X` (complete, `dur`) events per thread (pid, tid) — what `chrome://tracing`, Perfetto's
 * JSON export, React Native/Hermes, Node `--trace-events` and many tracers write — and Hermes's sampled form
 * (`samples` naming leaf `stackFrames`, each frame naming its `parent`). One profile per thread; `--thread NAME`
 * (thread name or tid) picks one, the default merges them. A trace cut short (a crashed recorder, an unfinished
 * array) is read up to where it stops, with a warning, as speedscope does.
 * Weights are the time (µs) each stack was on top of its thread, events ordered and matched as speedscope does
 * (see addDurations): an `E` closes the innermost open frame when their names agree and is ignored with a
 * warning otherwise; frames still open at the end close at the thread's last timestamp.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Frame, type Profile } from '../../core/profile.js';
import { mergeProfiles } from '../transform/merge.js';
import { fileOfUrl } from './cpuprofile.js';
import { scanJson } from './json-stream.js';
import type { ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

interface RawEvent {
  ph?: string;
  name?: string;
  pid?: number | string;
  tid?: number | string;
  ts?: number | string;
  dur?: number | string;
  tdur?: number | string;
  args?: Record<string, unknown>;
}

interface Mark {
  ts: number;
  begin: boolean;
  /** From an X (complete) event: at one timestamp, B and E events go before the X events' begins and ends. */
  x: boolean;
  /** X events: their start and duration, so that of two starting together the longer one encloses the other. */
  start: number;
  dur: number;
  seq: number;
  frame: number;
  /** The event's name: an end event closes the innermost open frame only when the names agree. */
  name: string;
}

interface Thread {
  key: string;
  pid: string;
  tid: string;
  marks: Mark[];
  samples: { ts: number; sf: string }[];
}

interface HermesFrame {
  name?: string;
  category?: string;
  parent?: number | string;
}

/** `fn(url:line:col)`, Hermes's sampled frame name. */
const HERMES_NAME = /^(.*)\((.*):(\d+):(\d+)\)$/;

export async function importTraceEvents(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: trace-event`;
  // Frames of the whole file, deduplicated; each thread's builder takes the ones it uses.
  const frameList: Frame[] = [];
  const frameIds = new Map<string, number>();
  const frameIndex = (f: Frame): number => {
    const key = `${f.name}\u0000${f.file ?? ''}\u0000${f.line ?? ''}\u0000${f.col ?? ''}`;
    let id = frameIds.get(key);
    if (id === undefined) frameIds.set(key, (id = frameList.push(f) - 1));
    return id;
  };
  const threads = new Map<string, Thread>();
  const processNames = new Map<string, string>();
  const threadNames = new Map<string, string>();
  const stackFrames = new Map<string, HermesFrame>();
  const warnings: string[] = [];
  let seq = 0;
  let events = 0;
  const threadOf = (e: { pid?: unknown; tid?: unknown }) => {
    const pid = String(e.pid ?? 0);
    const tid = String(e.tid ?? 0);
    const key = `${pid}:${tid}`;
    let t = threads.get(key);
    if (!t) threads.set(key, (t = { key, pid, tid, marks: [], samples: [] }));
    return t;
  };
  const frameOf = (e: RawEvent): number => {
    const name = String(e.name ?? '(unnamed)');
    const a = e.args;
    if (a && typeof a === 'object' && Object.keys(a).length > 0) {
      // Hermes's B/E events carry their source position; other tracers' args tell calls apart, as in speedscope.
      if ('url' in a || 'line' in a)
        return frameIndex({
          name,
          file: typeof a.url === 'string' ? fileOfUrl(a.url) : undefined,
          line: typeof a.line === 'number' ? a.line : undefined,
          col: typeof a.column === 'number' ? a.column : undefined,
          kind: 'code',
        });
      return frameIndex({ name: `${name} ${JSON.stringify(a)}`, kind: 'code' });
    }
    return frameIndex({ name, kind: 'code' });
  };
  const onEvent = (v: unknown) => {
    const e = v as RawEvent;
    if (!e || typeof e !== 'object') return;
    events++;
    if (e.ph === 'M') {
      const n = e.args?.name;
      if (typeof n === 'string') {
        if (e.name === 'process_name') processNames.set(String(e.pid ?? 0), n);
        else if (e.name === 'thread_name') threadNames.set(`${e.pid ?? 0}:${e.tid ?? 0}`, n);
      }
      return;
    }
    if (e.ph !== 'B' && e.ph !== 'E' && e.ph !== 'X') return;
    const ts = Number(e.ts);
    if (!Number.isFinite(ts)) return;
    const t = threadOf(e);
    const frame = frameOf(e);
    const name = String(e.name ?? '(unnamed)');
    if (e.ph === 'X') {
      const dur = Number(e.dur ?? e.tdur ?? 0);
      const d = Number.isFinite(dur) && dur > 0 ? dur : 0;
      const base = { x: true, start: ts, dur: d, frame, name };
      t.marks.push({ ...base, ts, begin: true, seq: seq++ });
      t.marks.push({ ...base, ts: ts + d, begin: false, seq: seq++ });
    } else t.marks.push({ ts, begin: e.ph === 'B', x: false, start: ts, dur: 0, seq: seq++, frame, name });
  };
  try {
    await scanJson(
      src,
      {
        mode: (key) =>
          key === 'traceEvents' || key === '[]' || key === 'samples'
            ? 'elements'
            : key === 'stackFrames'
              ? 'value'
              : 'skip',
        element: (key, v) => {
          if (key !== 'samples') return onEvent(v);
          const s = v as { ts?: unknown; sf?: unknown; pid?: unknown; tid?: unknown };
          const ts = Number(s?.ts);
          if (s && Number.isFinite(ts) && s.sf !== undefined)
            threadOf(s).samples.push({ ts, sf: String(s.sf) });
        },
        value: (key, v) => {
          if (key === 'stackFrames' && v && typeof v === 'object')
            for (const [id, f] of Object.entries(v as Record<string, HermesFrame>)) stackFrames.set(id, f);
        },
      },
      where,
      options.progress,
    );
  } catch (e) {
    if (!(e instanceof PerfloopError) || events === 0) throw e;
    warnings.push(
      `the trace is cut short (${e.message.replace(`${where}: `, '')}); read the ${events} events before`,
    );
  }

  const built: ProfileBuilder[] = [];
  const labels: string[] = [];
  for (const t of threads.values()) {
    const label = threadLabel(t, processNames, threadNames);
    if (
      options.thread &&
      options.thread !== 'all' &&
      options.thread !== t.tid &&
      options.thread !== threadNames.get(t.key)
    )
      continue;
    const tb = new ProfileBuilder({ format: 'trace-event', name: `${src.name} · ${label}` }, 'us', {
      timed: true,
    });
    const remap = new Map<number, number>();
    const local = (f: number) => {
      let id = remap.get(f);
      if (id === undefined) remap.set(f, (id = tb.frame(frameList[f])));
      return id;
    };
    const ignored = t.samples.length > 0 ? addSamples(tb, t, stackFrames) : addDurations(tb, t, local);
    if (ignored > 0)
      warnings.push(`${label}: ${ignored} end event(s) not matching the innermost open frame ignored`);
    if (tb.sampleCount > 0) {
      built.push(tb);
      labels.push(label);
    }
  }
  if (built.length === 0) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: ${options.thread && options.thread !== 'all' ? `no thread named ${JSON.stringify(options.thread)} with events` : 'no B/E/X events or samples with a duration'}`,
      threads.size
        ? {
            hint: `threads: ${[...threads.values()].map((t) => threadLabel(t, processNames, threadNames)).join('; ')}`,
          }
        : {},
    );
  }
  if (built.length > 1)
    warnings.push(`${built.length} threads merged (${labels.join('; ')}); choose one with --thread`);
  const meta = { format: 'trace-event', name: src.name, ...(warnings.length ? { warnings } : {}) };
  if (built.length === 1) return built[0].build(meta);
  return mergeProfiles(
    built.map((tb) => tb.build()),
    meta,
  );
}

function threadLabel(t: Thread, processNames: Map<string, string>, threadNames: Map<string, string>): string {
  const p = processNames.get(t.pid);
  const n = threadNames.get(t.key);
  return `${p ? `${p} (pid ${t.pid})` : `pid ${t.pid}`}, ${n ? `${n} (tid ${t.tid})` : `tid ${t.tid}`}`;
}

/**
 * B/E/X marks → the time each stack was on top, with speedscope's rules (src/import/trace-event.ts), since a
 * trace's events may come in any order and only these rules say what one instant's events mean: begins in time
 * order (at one instant B events in file order, then X events longest first), ends likewise; at one instant a
 * begin goes first only when it is the very event the next end closes (a zero-length call), else ends go first,
 * preferring an end that matches the innermost open frame (by frame, then by name). An end whose name is not the
 * innermost open frame's closes nothing (counted, for a warning); frames open at the end close at the thread's
 * last timestamp. Returns how many end events closed nothing.
 */
function addDurations(tb: ProfileBuilder, t: Thread, local: (f: number) => number): number {
  const xOrder = (a: Mark, b: Mark) => a.start - b.start || b.dur - a.dur || a.seq - b.seq;
  const order = (a: Mark, b: Mark) =>
    a.ts - b.ts || Number(a.x) - Number(b.x) || (a.x ? xOrder(a, b) : a.seq - b.seq);
  const begins = t.marks.filter((m) => m.begin).sort(order);
  const ends = t.marks.filter((m) => !m.begin).sort(order);
  const stack: Mark[] = []; // open frames, outermost first
  const nodes: number[] = []; // tree node per stack depth
  let ignored = 0;
  const t0 = Math.min(begins[0]?.ts ?? Infinity, ends[0]?.ts ?? Infinity);
  let last = t0;
  const advance = (ts: number) => {
    if (ts > last && nodes.length > 0) tb.sample(nodes[nodes.length - 1], ts - last, last - t0);
    last = Math.max(last, ts);
  };
  let bi = 0;
  let ei = 0;
  while (bi < begins.length || ei < ends.length) {
    const b = begins[bi];
    const e = ends[ei];
    const takeBegin =
      e === undefined ||
      (b !== undefined && (b.ts < e.ts || (b.ts === e.ts && b.frame === e.frame && b.name === e.name)));
    if (takeBegin) {
      advance(b.ts);
      stack.push(b);
      nodes.push(tb.node(nodes.length ? nodes[nodes.length - 1] : -1, local(b.frame)));
      bi++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top) {
      // Among the ends of this instant, one that closes the innermost frame goes first.
      let match = -1;
      for (let k = ei; k < ends.length && ends[k].ts === e.ts && match < 0; k++)
        if (ends[k].frame === top.frame) match = k;
      for (let k = ei; k < ends.length && ends[k].ts === e.ts && match < 0; k++)
        if (ends[k].name === top.name) match = k;
      if (match > ei) [ends[ei], ends[match]] = [ends[match], ends[ei]];
    }
    const end = ends[ei++];
    advance(end.ts);
    if (top && top.name === end.name) {
      stack.pop();
      nodes.pop();
    } else ignored++;
  }
  return ignored;
}

/** Hermes samples: the leaf frame's chain of parents is the stack; a sample lasts until the thread's next one. */
function addSamples(tb: ProfileBuilder, t: Thread, stackFrames: Map<string, HermesFrame>): number {
  t.samples.sort((a, b) => a.ts - b.ts);
  const nodeOf = new Map<string, number>();
  const resolve = (sf: string): number => {
    const known = nodeOf.get(sf);
    if (known !== undefined) return known;
    // Iterative: chains can be deep, and a damaged file can hold a cycle (cut at the first repeat).
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let id: string | undefined = sf; id !== undefined && !nodeOf.has(id) && !seen.has(id);) {
      seen.add(id);
      chain.push(id);
      const p: number | string | undefined = stackFrames.get(id)?.parent;
      id = p === undefined || p === null ? undefined : String(p);
    }
    const top = chain.length ? stackFrames.get(chain[chain.length - 1])?.parent : undefined;
    let node = top !== undefined && nodeOf.has(String(top)) ? nodeOf.get(String(top))! : -1;
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = stackFrames.get(chain[i]);
      const raw = String(f?.name ?? `frame ${chain[i]}`);
      const m = HERMES_NAME.exec(raw);
      const frame = m
        ? tb.frame({
            name: m[1] || '(anonymous)',
            file: fileOfUrl(m[2]),
            line: Number(m[3]),
            col: Number(m[4]),
          })
        : tb.frame({ name: raw, kind: f?.category === 'Metadata' && /\bGC\b/.test(raw) ? 'gc' : 'code' });
      node = tb.node(node, frame);
      nodeOf.set(chain[i], node);
    }
    return node;
  };
  const s = t.samples;
  const t0 = s.length ? s[0].ts : 0;
  for (let i = 0; i < s.length; i++) {
    const next = i + 1 < s.length ? s[i + 1].ts - s[i].ts : i > 0 ? s[i].ts - s[i - 1].ts : 1;
    tb.sample(resolve(s[i].sf), Math.max(0, next), s[i].ts - t0);
  }
  return 0;
}

export const traceEventImporter: ProfileImporter = {
  format: 'trace-event',
  // Chrome traces with a CPU profile go to chrome-trace (registered first); this takes the duration events.
  sniff: (_head, text) =>
    (/^\s*[[{]/.test(text) && /"ph"\s*:\s*"[BEX]"/.test(text)) ||
    (/"stackFrames"\s*:/.test(text) && /"samples"\s*:/.test(text)),
  importFrom: importTraceEvents,
};
