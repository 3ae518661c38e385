/**
 * V8's .cpuprofile (https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile), which Chrome
 * DevTools, VS Code, speedscope and perfloop open. Needs a time unit: µs are V8's own. One V8 sample per perfloop
 * sample, its weight carried by the time to the next one; line weights become positionTicks.
 */
import { PerfloopError } from '../../core/errors.js';
import type { Profile } from '../../core/profile.js';
import { unitFactor } from '../transform/merge.js';
import { sampleOrder } from './speedscope.js';

export function* cpuprofileChunks(p: Profile): Generator<string> {
  const toUs = unitFactor(p.unit, 'us');
  if (toUs === undefined) {
    throw new PerfloopError('USAGE', `cannot export a profile in ${p.unit} as a cpuprofile (it needs time)`, {
      hint: 'export it as speedscope or folded',
    });
  }
  const children: number[][] = Array.from({ length: p.nodeCount + 1 }, () => []);
  for (let n = 0; n < p.nodeCount; n++) children[p.nodeParent[n] + 1].push(n); // index 0: (root)
  const hits = new Float64Array(p.nodeCount);
  for (let i = 0; i < p.sampleCount; i++) hits[p.sampleNode[i]]++;
  const id = (n: number) => n + 2; // (root) is 1
  yield '{"nodes":[';
  yield JSON.stringify({
    id: 1,
    callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
    hitCount: 0,
    children: children[0].map(id),
  });
  let chunk = '';
  for (let n = 0; n < p.nodeCount; n++) {
    const f = p.frames[p.nodeFrame[n]];
    const name =
      f.kind === 'idle'
        ? '(idle)'
        : f.kind === 'gc'
          ? '(garbage collector)'
          : f.kind === 'program'
            ? '(program)'
            : f.name;
    const url = f.file ? (f.file.startsWith('/') ? `file://${encodeURI(f.file)}` : f.file) : '';
    const node: Record<string, unknown> = {
      id: id(n),
      callFrame: {
        functionName: name,
        scriptId: '0',
        url,
        lineNumber: (f.line ?? 0) - 1,
        columnNumber: (f.col ?? 0) - 1,
      },
      hitCount: hits[n],
    };
    if (children[n + 1].length) node.children = children[n + 1].map(id);
    const lines = p.lineWeights.get(n);
    if (lines?.length)
      node.positionTicks = lines.map(([line, w]) => ({ line, ticks: Math.max(1, Math.round(w)) }));
    chunk += `,${JSON.stringify(node)}`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  const order = sampleOrder(p);
  let total = 0;
  for (let i = 0; i < p.sampleCount; i++) total += p.sampleWeight[i] * toUs;
  yield `${chunk}],"startTime":0,"endTime":${Math.round(total * 1000) / 1000},"samples":[`;
  for (let k = 0; k < order.length; k += 100_000) {
    const part: number[] = [];
    for (let j = k; j < Math.min(order.length, k + 100_000); j++) part.push(id(p.sampleNode[order[j]]));
    yield `${k > 0 ? ',' : ''}${part.join(',')}`;
  }
  yield '],"timeDeltas":[';
  for (let k = 0; k < order.length; k += 100_000) {
    const part: number[] = [];
    for (let j = k; j < Math.min(order.length, k + 100_000); j++) {
      part.push(j === 0 ? 0 : Math.round(p.sampleWeight[order[j - 1]] * toUs * 1000) / 1000);
    }
    yield `${k > 0 ? ',' : ''}${part.join(',')}`;
  }
  yield ']}\n';
}
