/**
 * Ruby stackprof JSON (`StackProf.run(mode: :cpu|:wall|:object, raw: true, out: …)`, `stackprof --json`). Format:
 * https://github.com/tmm1/stackprof (lib/stackprof/report.rb, ext/stackprof/stackprof.c): `frames` maps a frame
 * id to `{name, file, line}`; `raw` is a flat list of samples, each `stack height, frame ids root first, count`;
 * `raw_timestamp_deltas` gives each sample's time (µs) in wall mode. Weights: cpu mode count × `interval` µs,
 * wall mode the sum of the samples' deltas, object mode allocations counted. A lone `(garbage collection)` sample
 * is GC work done for the stack sampled just before it, so it goes under that stack, as speedscope reads it.
 * A profile recorded without `raw: true` has no stacks: each frame's own samples are read, with a warning.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Profile } from '../../core/profile.js';
import { scanJson } from './json-stream.js';
import { displayName, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

interface StackprofFrame {
  name?: unknown;
  file?: unknown;
  line?: unknown;
  samples?: unknown;
}

const GC_FRAME = '(garbage collection)';

export async function importStackprof(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: stackprof`;
  let mode = '';
  let interval = NaN;
  let frames: Record<string, StackprofFrame> = {};
  const raw: number[] = [];
  const deltas: number[] = [];
  await scanJson(
    src,
    {
      mode: (key) =>
        key === 'raw' || key === 'raw_timestamp_deltas'
          ? 'numbers'
          : key === 'mode' || key === 'interval' || key === 'frames'
            ? 'value'
            : 'skip',
      number: (key, n) => (key === 'raw' ? raw.push(n) : deltas.push(n)),
      value: (key, v) => {
        if (key === 'mode') mode = String(v);
        else if (key === 'interval') interval = Number(v);
        else if (key === 'frames' && v && typeof v === 'object') frames = v as Record<string, StackprofFrame>;
      },
    },
    where,
    options.progress,
  );
  const hasRaw = raw.length > 0;
  if (!mode || Object.keys(frames).length === 0)
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: no "mode" and "frames": not a stackprof profile`,
    );
  const unit = mode === 'object' ? 'count' : 'us';
  const b = new ProfileBuilder({ format: 'stackprof', name: `${displayName(src)} · ${mode}` }, unit);
  const ids = new Map<number, number>();
  const frameOf = (id: number): number => {
    let f = ids.get(id);
    if (f === undefined) {
      const fr = frames[String(id)];
      const name = typeof fr?.name === 'string' && fr.name ? fr.name : '(unknown)';
      const file = typeof fr?.file === 'string' && fr.file && fr.file !== '<cfunc>' ? fr.file : undefined;
      const line = typeof fr?.line === 'number' && fr.line > 0 ? fr.line : undefined;
      ids.set(id, (f = b.frame({ name, file, line, kind: name === GC_FRAME ? 'gc' : 'code' })));
    }
    return f;
  };
  const perSample = mode === 'cpu' || !(deltas.length > 0) ? (Number.isFinite(interval) ? interval : 1) : 0;
  const warnings: string[] = [];
  if (!hasRaw) {
    // Without raw samples only each frame's own sample count is known: a flat profile.
    for (const [id, fr] of Object.entries(frames)) {
      const n = Number(fr?.samples);
      if (n > 0) b.sample(b.stack([frameOf(Number(id))]), mode === 'object' ? n : n * (perSample || 1));
    }
    warnings.push(
      'recorded without raw: true, so there are no call stacks: each function by its own samples',
    );
  } else {
    let prev: number[] = [];
    let sampleIndex = 0;
    for (let i = 0; i < raw.length;) {
      const height = raw[i++];
      if (!Number.isInteger(height) || height < 0 || i + height >= raw.length) {
        throw new PerfloopError(
          'PROFILE_BAD_FORMAT',
          `${where}: raw[${i - 1}]: stack height ${height} runs past the end of the samples`,
        );
      }
      let stack: number[] = [];
      for (let j = 0; j < height; j++) stack.push(frameOf(raw[i++]));
      const count = raw[i++] ?? 0;
      if (stack.length === 1 && frameName(frames, raw[i - 2]) === GC_FRAME) stack = prev.concat(stack);
      let weight: number;
      if (mode === 'object') weight = count;
      else if (perSample > 0) weight = count * perSample;
      else {
        weight = 0;
        for (let k = 0; k < count; k++) weight += deltas[sampleIndex++] ?? 0;
      }
      if (weight > 0) b.sample(b.stack(stack), weight);
      prev = stack;
    }
  }
  if (b.sampleCount === 0) throw new PerfloopError('PROFILE_EMPTY', `${where}: the profile has no samples`);
  return b.build(warnings.length ? { warnings } : {});
}

const frameName = (frames: Record<string, StackprofFrame>, id: number | undefined) =>
  id === undefined ? undefined : frames[String(id)]?.name;

export const stackprofImporter: ProfileImporter = {
  format: 'stackprof',
  sniff: (_b, text) =>
    /^\s*\{/.test(text) &&
    /"mode"\s*:\s*"(cpu|wall|object|custom)"/.test(text) &&
    /"frames"\s*:\s*\{/.test(text),
  importFrom: importStackprof,
};
