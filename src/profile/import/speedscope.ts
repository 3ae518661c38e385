/**
 * speedscope's file format: https://www.speedscope.app/file-format-schema.json (written by speedscope's export,
 * py-spy `--format speedscope`, rbspy, pyinstrument …). `shared.frames` is the frame table; each profile is
 * `sampled` (stacks of frame indices root first, with weights) or `evented` (open/close events at times).
 * Every profile of the file (usually one per thread) is imported and merged.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile, type ProfileUnit } from '../../core/profile.js';
import { fileOfUrl, V8_PSEUDO_FRAMES } from './cpuprofile.js';
import { scanJson } from './json-stream.js';
import type { ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

type SpeedscopeUnit = 'none' | 'nanoseconds' | 'microseconds' | 'milliseconds' | 'seconds' | 'bytes';

interface SampledProfile {
  type: 'sampled';
  name?: string;
  unit: SpeedscopeUnit;
  startValue?: number;
  endValue?: number;
  samples: number[][];
  weights?: number[];
}

interface EventedProfile {
  type: 'evented';
  name?: string;
  unit: SpeedscopeUnit;
  startValue: number;
  endValue: number;
  events: { type: 'O' | 'C'; at: number; frame: number }[];
}

const UNITS: Record<SpeedscopeUnit, [ProfileUnit, number]> = {
  none: ['samples', 1],
  nanoseconds: ['ns', 1],
  microseconds: ['us', 1],
  milliseconds: ['ms', 1],
  seconds: ['ms', 1000],
  bytes: ['bytes', 1],
};

const PY_SPY_IDLE = /^(idle|<idle>)$/;

export async function importSpeedscope(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  let frames: SpeedscopeFrame[] | undefined;
  const profiles: (SampledProfile | EventedProfile)[] = [];
  let name: string | undefined;
  const where = `${src.name}: speedscope`;
  await scanJson(
    src,
    {
      mode: (key) =>
        key === 'profiles' ? 'elements' : key === 'shared' || key === 'name' ? 'value' : 'skip',
      value: (key, v) => {
        if (key === 'shared') frames = (v as { frames?: SpeedscopeFrame[] })?.frames;
        else if (key === 'name' && typeof v === 'string') name = v;
      },
      element: (_k, v) => profiles.push(v as SampledProfile | EventedProfile),
    },
    where,
    options.progress,
  );
  if (!Array.isArray(frames))
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no "shared.frames" table`);
  if (profiles.length === 0) throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no profiles`);
  const first = UNITS[profiles[0].unit];
  if (!first)
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: unknown unit ${JSON.stringify(profiles[0].unit)}`,
    );
  const [unit] = first;
  const a = new ProfileBuilder({ format: 'speedscope', name: name ?? src.name }, unit, { timed: true });
  const frameIds = frames.map((f, i) => {
    if (!f || typeof f.name !== 'string')
      throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: shared.frames[${i}] has no name`);
    const kind: FrameKind = V8_PSEUDO_FRAMES[f.name] ?? (PY_SPY_IDLE.test(f.name) ? 'idle' : 'code');
    return a.frame({
      name: f.name,
      file: fileOfUrl(f.file),
      line: f.line,
      col: f.col,
      kind: kind === 'root' ? 'code' : kind,
    });
  });
  const frameId = (i: number, at: string) => {
    const id = frameIds[i];
    if (id === undefined)
      throw new PerfloopError(
        'PROFILE_BAD_FORMAT',
        `${where}: ${at}: frame index ${i} is not in shared.frames`,
      );
    return id;
  };
  let offset = 0;
  profiles.forEach((p, pi) => {
    const u = UNITS[p.unit];
    if (!u || u[0] !== unit)
      throw new PerfloopError(
        'PROFILE_BAD_FORMAT',
        `${where}: profiles[${pi}] is in ${p.unit}, profiles[0] in ${profiles[0].unit}`,
      );
    const scale = u[1];
    let end: number;
    if (p.type === 'sampled') {
      if (!Array.isArray(p.samples))
        throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: profiles[${pi}] has no samples`);
      let t = 0;
      p.samples.forEach((stack, si) => {
        const w = (p.weights?.[si] ?? 1) * scale;
        let node = -1;
        for (const f of stack) node = a.node(node, frameId(f, `profiles[${pi}].samples[${si}]`));
        a.sample(node, w, offset + t);
        t += w;
      });
      end = t;
    } else if (p.type === 'evented') {
      if (!Array.isArray(p.events))
        throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: profiles[${pi}] has no events`);
      const stack: number[] = []; // our nodes, root first
      const frameStack: number[] = [];
      const start = p.startValue ?? p.events[0]?.at ?? 0;
      let prev = start;
      p.events.forEach((e, ei) => {
        const at = (e.at - start) * scale;
        if (stack.length > 0 && at > prev) a.sample(stack[stack.length - 1], at - prev, offset + prev);
        prev = Math.max(prev, at);
        if (e.type === 'O') {
          stack.push(
            a.node(
              stack.length ? stack[stack.length - 1] : -1,
              frameId(e.frame, `profiles[${pi}].events[${ei}]`),
            ),
          );
          frameStack.push(e.frame);
        } else if (e.type === 'C') {
          const k = frameStack.lastIndexOf(e.frame); // tolerate a close that skips unclosed children
          if (k < 0)
            throw new PerfloopError(
              'PROFILE_BAD_FORMAT',
              `${where}: profiles[${pi}].events[${ei}] closes frame ${e.frame} which is not open`,
            );
          stack.length = k;
          frameStack.length = k;
        } else
          throw new PerfloopError(
            'PROFILE_BAD_FORMAT',
            `${where}: profiles[${pi}].events[${ei}] has type ${JSON.stringify(e.type)}`,
          );
      });
      end = Math.max(prev, ((p.endValue ?? 0) - start) * scale);
    } else {
      throw new PerfloopError(
        'PROFILE_BAD_FORMAT',
        `${where}: profiles[${pi}] has unknown type ${JSON.stringify((p as { type?: unknown }).type)}`,
      );
    }
    offset += end;
  });
  return a.build();
}

export const speedscopeImporter: ProfileImporter = {
  format: 'speedscope',
  fileName: /\.speedscope(\.json)?(\.gz)?$/i,
  sniff: (_head, text) =>
    /^\s*\{/.test(text) &&
    /speedscope\.app\/file-format-schema\.json|"shared"\s*:\s*\{\s*"frames"/.test(text),
  importFrom: importSpeedscope,
};
