/**
 * pprof (Go runtime/pprof, `go tool pprof`, Datadog/Pyroscope agents, `perf_to_profile`): a protobuf, usually
 * gzipped. Spec: https://github.com/google/pprof/blob/main/proto/profile.proto — each sample lists its
 * locations leaf first; a location's lines are inlined frames, innermost first; `sample_type` says what each
 * value is, and the default type is `default_sample_type`, else the last one. Decoded with pprof-format.
 */
import type { Profile as PprofProfile } from 'pprof-format';
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile, type ProfileUnit } from '../../core/profile.js';
import { readAll, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

const UNITS: Record<string, [ProfileUnit, number]> = {
  nanoseconds: ['ns', 1],
  microseconds: ['us', 1],
  milliseconds: ['ms', 1],
  seconds: ['ms', 1000],
  bytes: ['bytes', 1],
  count: ['count', 1],
};

export interface PprofSampleType {
  type: string;
  unit: string;
}

/** Sample types of a decoded pprof profile and the index pprof reads by default. */
export function pprofSampleTypes(p: PprofProfile): { types: PprofSampleType[]; defaultIndex: number } {
  const str = (i: number | bigint) => p.stringTable.strings[Number(i)] ?? '';
  const types = p.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }));
  const def = Number(p.defaultSampleType) ? str(p.defaultSampleType) : '';
  const byDefault = def ? types.findIndex((t) => t.type === def) : -1;
  return { types, defaultIndex: byDefault >= 0 ? byDefault : types.length - 1 };
}

export function pprofToProfile(p: PprofProfile, name: string, sampleType?: string): Profile {
  const where = `${name}: pprof`;
  const str = (i: number | bigint) => p.stringTable.strings[Number(i)] ?? '';
  const { types, defaultIndex } = pprofSampleTypes(p);
  if (types.length === 0)
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: the profile declares no sample types`);
  let index = defaultIndex;
  if (sampleType !== undefined) {
    index = types.findIndex((t) => t.type === sampleType || `${t.type}/${t.unit}` === sampleType);
    if (index < 0 && /^\d+$/.test(sampleType) && Number(sampleType) < types.length)
      index = Number(sampleType);
    if (index < 0) {
      throw new PerfloopError('USAGE', `${where}: no sample type ${JSON.stringify(sampleType)}`, {
        hint: `this profile has ${types.map((t) => `${t.type} (${t.unit})`).join(', ')}`,
      });
    }
  }
  const [unit, scale] = UNITS[types[index].unit] ?? ['count', 1];
  const a = new ProfileBuilder(
    {
      format: 'pprof',
      name: `${name} · ${types[index].type}`,
      startedAt: Number(p.timeNanos) ? Math.round(Number(p.timeNanos) / 1e6) : undefined,
    },
    unit,
  );
  const functions = new Map<number, { name: string; file: string; startLine: number }>();
  for (const f of p.function)
    functions.set(Number(f.id), {
      name: str(f.name) || str(f.systemName),
      file: str(f.filename),
      startLine: Number(f.startLine),
    });
  const mappings = new Map<number, string>();
  for (const m of p.mapping) mappings.set(Number(m.id), str(m.filename));
  // Each location → its frames root first (the inlined caller before the inlinee) and the leaf's line.
  const locations = new Map<number, { frames: number[]; leafLine: number; preempt: boolean }>();
  for (const loc of p.location) {
    const frames: number[] = [];
    let leafLine = 0;
    if (loc.line.length === 0) {
      const file = mappings.get(Number(loc.mappingId)) || undefined;
      frames.push(a.frame({ name: `0x${BigInt(loc.address).toString(16)}`, file }));
    } else {
      for (let k = loc.line.length - 1; k >= 0; k--) {
        const ln = loc.line[k];
        const fn = functions.get(Number(ln.functionId));
        const fname = fn?.name || '(unknown)';
        frames.push(
          a.frame({
            name: fname,
            file: fn?.file || undefined,
            line: fn?.startLine || undefined,
            kind: kindOf(fname),
          }),
        );
      }
      leafLine = Number(loc.line[0].line);
    }
    const preempt = loc.line.some((ln) => functions.get(Number(ln.functionId))?.name === ASYNC_PREEMPT);
    locations.set(Number(loc.id), { frames, leafLine, preempt });
  }
  const stack: number[] = [];
  let preempted = 0;
  p.sample.forEach((s, si) => {
    const v = Number(s.value[index] ?? 0) * scale;
    if (v === 0) return;
    stack.length = 0;
    let leafLine = 0;
    for (let k = s.locationId.length - 1; k >= 0; k--) {
      const loc = locations.get(Number(s.locationId[k]));
      if (!loc)
        throw new PerfloopError(
          'PROFILE_BAD_FORMAT',
          `${where}: sample ${si} refers to unknown location ${s.locationId[k]}`,
        );
      // Go's signal-based preemption shows up as runtime.asyncPreempt (and the scheduler under it) on top of
      // whatever was interrupted: that time is the interrupted function's, as `go tool pprof` users read it.
      if (loc.preempt && stack.length > 0) {
        preempted++;
        break;
      }
      for (const f of loc.frames) stack.push(f);
      leafLine = loc.leafLine;
    }
    const node = a.stack(stack);
    if (leafLine > 0 && node >= 0) a.addLineWeight(node, leafLine, v);
    a.sample(node, v);
  });
  const warnings: string[] = [];
  if (preempted > 0)
    warnings.push(`${preempted} samples in runtime.asyncPreempt charged to the function it interrupted`);
  const others = types.filter((_, i) => i !== index);
  if (others.length > 0 && sampleType === undefined && types[index].unit !== 'nanoseconds')
    warnings.push(
      `sample type ${types[index].type}; also ${others.map((t) => t.type).join(', ')} (--sample-type NAME)`,
    );
  return a.build(warnings.length ? { warnings } : {});
}

const ASYNC_PREEMPT = 'runtime.asyncPreempt';

/** Go's runtime marks its own GC work by name. */
function kindOf(name: string): FrameKind {
  return /^runtime\.(gcBgMarkWorker|gcDrain\w*|markroot\w*|scanobject|gcMarkDone|bgsweep|bgscavenge)$/.test(
    name,
  )
    ? 'gc'
    : 'code';
}

export async function importPprof(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const buf = await readAll(src, options.progress);
  // pprof-format is loaded with the first pprof file, not with every import of the importer registry.
  const { Profile: Pprof } = await import('pprof-format');
  let decoded: PprofProfile;
  try {
    decoded = Pprof.decode(buf);
  } catch (e) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${src.name}: pprof: not a valid pprof protobuf (${(e as Error).message})`,
    );
  }
  if (decoded.sampleType.length === 0 && decoded.sample.length === 0) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${src.name}: pprof: not a pprof profile (no sample types, no samples)`,
    );
  }
  return pprofToProfile(decoded, src.name, options.sampleType);
}

export const pprofImporter: ProfileImporter = {
  format: 'pprof',
  fileName: /\.(pb|pprof|prof)(\.gz)?$|^(cpu|heap|profile|allocs|block|mutex|goroutine)(\.pb)?(\.gz)?$/i,
  // profile.proto field 1 (sample_type, length-delimited) comes first in every writer we know.
  sniff: (head) =>
    head.length > 2 && head[0] === 0x0a && head[1] < 0x80 && head.subarray(0, 64).includes(0x10),
  importFrom: importPprof,
};
