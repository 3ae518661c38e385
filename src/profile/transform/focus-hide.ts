import { ProfileBuilder, type Profile } from '../../core/profile.js';

const OUTSIDE = -2;

function rebuild(
  p: Profile,
  map: (a: ProfileBuilder, frameIds: number[]) => Int32Array,
  suffix: string,
): Profile {
  const a = new ProfileBuilder({ ...p.meta, name: `${p.meta.name ?? p.meta.format} ${suffix}` }, p.unit, {
    timed: p.sampleTime !== undefined,
  });
  const frameIds = p.frames.map((f) => a.frame(f));
  const nodeMap = map(a, frameIds);
  for (const [node, lines] of p.lineWeights) {
    const to = nodeMap[node];
    if (to >= 0 && p.nodeFrame[node] !== undefined)
      for (const [line, w] of lines) a.addLineWeight(to, line, w);
  }
  for (let i = 0; i < p.sampleCount; i++) {
    const to = nodeMap[p.sampleNode[i]];
    if (to >= 0) a.sample(to, p.sampleWeight[i], p.sampleTime?.[i]);
  }
  return a.build();
}

/**
 * Only the stacks through a frame whose name (or file) matches `re`, re-rooted at the topmost match: every call
 * of that function, merged, with what it calls below it (the "callees" half of a sandwich view).
 */
export function focusProfile(p: Profile, re: RegExp): Profile {
  const matches = p.frames.map((f) => re.test(f.name) || (!!f.file && re.test(f.file)));
  return rebuild(
    p,
    (a, ids) => {
      const nodeMap = new Int32Array(p.nodeCount);
      for (let n = 0; n < p.nodeCount; n++) {
        const parent = p.nodeParent[n];
        const up = parent < 0 ? OUTSIDE : nodeMap[parent];
        const f = p.nodeFrame[n];
        nodeMap[n] = up !== OUTSIDE ? a.node(up, ids[f]) : matches[f] ? a.node(-1, ids[f]) : OUTSIDE;
      }
      return nodeMap;
    },
    `focus /${re.source}/`,
  );
}

/** The profile without frames whose name (or file) matches `re`: their time goes to their caller. */
export function hideFrames(p: Profile, re: RegExp): Profile {
  const matches = p.frames.map((f) => re.test(f.name) || (!!f.file && re.test(f.file)));
  return rebuild(
    p,
    (a, ids) => {
      const nodeMap = new Int32Array(p.nodeCount);
      for (let n = 0; n < p.nodeCount; n++) {
        const parent = p.nodeParent[n];
        const up = parent < 0 ? -1 : nodeMap[parent];
        const f = p.nodeFrame[n];
        nodeMap[n] = matches[f] ? up : a.node(up, ids[f]);
      }
      return nodeMap;
    },
    `hide /${re.source}/`,
  );
}
