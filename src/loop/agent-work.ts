import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProfileBuilder, type Profile } from '../core/profile.js';

/** perfloop's agent code inside the target (dist/src/agent/…). */
const AGENT_DIR = dirname(fileURLToPath(new URL('../agent/agent.js', import.meta.url)));
/**
 * The agent's own work: commands (snapshots, profiles), its channel and sampler. Not the wrappers it puts on
 * the service's request and query paths (request-context, patch-*, query-recorder): those frames sit under
 * every request, and the samples under them are the service's.
 */
const OWN_WORK = /\/(commands|channel|agent|runtime-sampler|ndjson|db-handles)\.js$/;

/**
 * The profile without the samples the agent itself caused (a heap snapshot taken mid-run, a forced GC, its
 * own reporting): measuring must not show up as the service's cost. Samples whose stack runs through the
 * agent's files are dropped, and so are samples inside `ownWork` windows ([start, end] in the profile's unit
 * since its start, as the agent reports them) — a forced GC's samples sit under "(garbage collector)", not
 * under the agent's frames. Everything else is kept as it was, in order.
 */
export function withoutAgentWork(
  p: Profile,
  o: { agentDir?: string; ownWork?: readonly (readonly [number, number])[] } = {},
): Profile {
  const agentDir = o.agentDir ?? AGENT_DIR;
  const windows = p.sampleTime ? [...(o.ownWork ?? [])].sort((x, y) => x[0] - y[0]) : [];
  const agentFrame = p.frames.map((f) => !!f.file && f.file.startsWith(agentDir) && OWN_WORK.test(f.file));
  if (!agentFrame.some(Boolean) && windows.length === 0) return p;
  const inAgent = new Uint8Array(p.nodeCount);
  for (let n = 0; n < p.nodeCount; n++) {
    const parent = p.nodeParent[n];
    inAgent[n] = agentFrame[p.nodeFrame[n]] || (parent >= 0 && inAgent[parent]) ? 1 : 0;
  }
  const inWindow = ownWorkTest(windows);
  const b = new ProfileBuilder(p.meta, p.unit, { timed: !!p.sampleTime });
  const frameIds = p.frames.map((f) => b.frame(f));
  const nodeMap = new Int32Array(p.nodeCount).fill(-1);
  for (let n = 0; n < p.nodeCount; n++) {
    if (inAgent[n]) continue;
    const parent = p.nodeParent[n];
    nodeMap[n] = b.node(parent < 0 ? -1 : nodeMap[parent], frameIds[p.nodeFrame[n]]);
  }
  for (const [node, lines] of p.lineWeights)
    if (nodeMap[node] >= 0) for (const [line, w] of lines) b.addLineWeight(nodeMap[node], line, w);
  for (let i = 0; i < p.sampleCount; i++) {
    const n = p.sampleNode[i];
    const t = p.sampleTime?.[i];
    if (!inAgent[n] && !(t !== undefined && inWindow(t))) b.sample(nodeMap[n], p.sampleWeight[i], t);
  }
  return b.build();
}

/** A test for "t is inside one of the windows" (sorted by start), for times that mostly come in order. */
function ownWorkTest(windows: readonly (readonly [number, number])[]): (t: number) => boolean {
  let k = 0;
  return (t) => {
    if (windows.length === 0) return false;
    if (k > 0 && t < windows[k - 1][1]) k = 0; // out of order: start over
    while (k < windows.length && windows[k][1] < t) k++;
    return k < windows.length && t >= windows[k][0];
  };
}
