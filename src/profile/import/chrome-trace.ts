/**
 * Chrome trace event files (DevTools "Save profile" from the Performance panel, `chrome://tracing`, Node
 * `--trace-events`): https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
 * The CPU profile is in `Profile` (start) and `ProfileChunk` (nodes with `parent`, samples, timeDeltas) events
 * sharing an id per thread; old Chrome wrote one `CpuProfile` event holding a whole V8 profile. The file is an
 * array of events or `{ "traceEvents": [...] }`, read event by event. Several profiles (threads) are merged.
 */
import { PerfloopError } from '../../core/errors.js';
import type { Profile } from '../../core/profile.js';
import { mergeProfiles } from '../transform/merge.js';
import { buildV8Profile, type V8CpuProfile, type V8Node } from './cpuprofile.js';
import { scanJson } from './json-stream.js';
import type { ProfileSource } from './source.js';
import { importTraceEvents } from './trace-event.js';
import type { ImportOptions, ProfileImporter } from './types.js';

interface TraceEvent {
  name?: string;
  ph?: string;
  id?: string | number;
  pid?: number;
  tid?: number;
  ts?: number;
  args?: {
    data?: {
      startTime?: number;
      cpuProfile?: Partial<V8CpuProfile> & { nodes?: V8Node[]; samples?: number[] };
      timeDeltas?: number[];
    };
  };
}

interface PendingProfile {
  key: string;
  startTime: number;
  nodes: V8Node[];
  samples: number[];
  deltas: number[];
}

export async function importChromeTrace(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const profiles = new Map<string, PendingProfile>();
  const whole: V8CpuProfile[] = [];
  const get = (e: TraceEvent) => {
    const key = `${e.pid ?? 0}:${e.id ?? e.tid ?? 0}`;
    let p = profiles.get(key);
    if (!p)
      profiles.set(
        key,
        (p = { key, startTime: e.args?.data?.startTime ?? e.ts ?? 0, nodes: [], samples: [], deltas: [] }),
      );
    return p;
  };
  const onEvent = (v: unknown) => {
    const e = v as TraceEvent;
    if (!e || typeof e !== 'object') return;
    if (e.name === 'Profile') {
      const p = get(e);
      if (e.args?.data?.startTime !== undefined) p.startTime = e.args.data.startTime;
    } else if (e.name === 'ProfileChunk') {
      const p = get(e);
      const d = e.args?.data;
      const cp = d?.cpuProfile;
      for (const n of cp?.nodes ?? []) p.nodes.push(n);
      for (const s of cp?.samples ?? []) p.samples.push(s);
      for (const t of d?.timeDeltas ?? []) p.deltas.push(t);
    } else if (e.name === 'CpuProfile' && e.args?.data?.cpuProfile?.nodes) {
      whole.push(e.args.data.cpuProfile as V8CpuProfile);
    }
  };
  let sawEvents = false;
  let durationEvents = 0;
  let sawSamples = false;
  let cutShort = '';
  const where = `${src.name}: chrome-trace`;
  try {
    await scanJson(
      src,
      {
        mode: (key) => {
          if (key === 'samples' || key === 'stackFrames') sawSamples = true;
          return key === 'traceEvents' || key === '[]' ? 'elements' : 'skip';
        },
        element: (_k, v) => {
          sawEvents = true;
          const ph = (v as TraceEvent | null)?.ph;
          if (ph === 'B' || ph === 'E' || ph === 'X') durationEvents++;
          onEvent(v);
        },
      },
      where,
      options.progress,
    );
  } catch (e) {
    // A trace cut short (speedscope reads those): keep what came before, with a warning.
    if (!(e instanceof PerfloopError) || !sawEvents) throw e;
    cutShort = `the trace is cut short (${e.message.replace(`${where}: `, '')}); read the events before`;
  }
  const built: Profile[] = [];
  for (const p of profiles.values()) {
    if (p.nodes.length === 0) continue;
    const duration = p.deltas.reduce((s, d) => s + d, 0);
    built.push(
      buildV8Profile(
        p.nodes,
        { startTime: 0, endTime: duration, samples: p.samples, timeDeltas: p.deltas },
        'chrome-trace',
        src.name,
      ),
    );
  }
  for (const cp of whole) {
    built.push(
      buildV8Profile(
        cp.nodes,
        {
          startTime: cp.startTime ?? 0,
          endTime: cp.endTime ?? 0,
          samples: cp.samples ?? [],
          timeDeltas: cp.timeDeltas ?? [],
        },
        'chrome-trace',
        src.name,
      ),
    );
  }
  // No V8 CPU profile: the trace's duration events (B/E/X) or Hermes samples are the profile.
  if (built.length === 0 && (durationEvents > 0 || sawSamples)) return importTraceEvents(src, options);
  if (built.length === 0) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${src.name}: chrome-trace: ${sawEvents ? 'no CPU profile in the trace (no Profile/ProfileChunk events)' : 'no trace events'}`,
      {
        hint: 'record with the "disabled-by-default-v8.cpu_profiler" category (DevTools Performance panel does)',
      },
    );
  }
  const warnings = [...(cutShort ? [cutShort] : []), ...built.flatMap((p) => p.meta.warnings ?? [])];
  if (built.length === 1 && !cutShort) return built[0];
  return mergeProfiles(built, {
    format: 'chrome-trace',
    name: src.name,
    ...(warnings.length ? { warnings } : {}),
  });
}

export const chromeTraceImporter: ProfileImporter = {
  format: 'chrome-trace',
  fileName: /\.(trace|trace\.json)(\.gz)?$/i,
  // DevTools writes `{"metadata": {…}, "traceEvents": [...]}`: the key can come after a large first member.
  sniff: (_head, text) =>
    (/^\s*\{/.test(text) && /"traceEvents"\s*:/.test(text)) ||
    (/^\s*\[\s*\{/.test(text) && /"ph"\s*:/.test(text)),
  importFrom: importChromeTrace,
};
