import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Profile, type ProfileMeta, type ProfileUnit } from '../../core/profile.js';

const TIME_SCALE: Partial<Record<ProfileUnit, number>> = { ns: 1, us: 1e3, ms: 1e6 };

/** Factor that converts a weight in `from` to `to`, or undefined when they do not convert. */
export function unitFactor(from: ProfileUnit, to: ProfileUnit): number | undefined {
  if (from === to) return 1;
  const a = TIME_SCALE[from];
  const b = TIME_SCALE[to];
  return a !== undefined && b !== undefined ? a / b : undefined;
}

/**
 * One profile of several (files, or threads of one file): identical stacks merge, samples are concatenated —
 * each profile's timeline follows the previous one's, so a time-order view shows them one after another.
 * Time units convert to the first profile's; other units must match.
 */
export function mergeProfiles(profiles: readonly Profile[], meta: ProfileMeta): Profile {
  if (profiles.length === 0) throw new PerfloopError('PROFILE_EMPTY', 'no profiles to merge');
  if (profiles.length === 1) return profiles[0];
  const unit = profiles[0].unit;
  const timed = profiles.every((p) => p.sampleTime !== undefined);
  const a = new ProfileBuilder(meta, unit, { timed });
  let offset = 0;
  for (const p of profiles) {
    const scale = unitFactor(p.unit, unit);
    if (scale === undefined) {
      throw new PerfloopError(
        'PROFILE_UNIT_MISMATCH',
        `cannot merge a profile in ${p.unit} (${p.meta.name ?? p.meta.format}) with one in ${unit}`,
        {
          hint: 'merge profiles of the same kind (CPU time with CPU time, bytes with bytes)',
        },
      );
    }
    const nodeMap = copyTree(p, a);
    for (const [node, lines] of p.lineWeights)
      for (const [line, w] of lines) a.addLineWeight(nodeMap[node], line, w);
    let end = 0;
    for (let i = 0; i < p.sampleCount; i++) {
      const w = p.sampleWeight[i] * scale;
      const t = timed ? p.sampleTime![i] * scale : 0;
      a.sample(nodeMap[p.sampleNode[i]], w, offset + t);
      if (t + w > end) end = t + w;
    }
    offset += end;
  }
  return a.build();
}

/** Copies p's frames and call tree into the assembler; returns old node → new node. */
export function copyTree(p: Profile, a: ProfileBuilder): Int32Array {
  const frameMap = p.frames.map((f) => a.frame(f));
  const nodeMap = new Int32Array(p.nodeCount);
  for (let n = 0; n < p.nodeCount; n++) {
    const parent = p.nodeParent[n];
    nodeMap[n] = a.node(parent < 0 ? -1 : nodeMap[parent], frameMap[p.nodeFrame[n]]);
  }
  return nodeMap;
}
