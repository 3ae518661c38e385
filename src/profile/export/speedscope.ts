/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json): one sampled profile over the
 * shared frame table, stacks root first, in time order — consecutive samples of the same stack are merged, which
 * keeps the file small without changing any view.
 */
import type { Profile, ProfileUnit } from '../../core/profile.js';

const UNITS: Record<ProfileUnit, string> = {
  ns: 'nanoseconds',
  us: 'microseconds',
  ms: 'milliseconds',
  bytes: 'bytes',
  samples: 'none',
  count: 'none',
};

export function* speedscopeChunks(p: Profile, name = p.meta.name ?? 'profile'): Generator<string> {
  const frames = p.frames.map((f) => {
    const o: { name: string; file?: string; line?: number; col?: number } = { name: f.name };
    if (f.file) o.file = f.file;
    if (f.line) o.line = f.line;
    if (f.col) o.col = f.col;
    return o;
  });
  const order = sampleOrder(p);
  let total = 0;
  for (let i = 0; i < p.sampleCount; i++) total += p.sampleWeight[i];
  yield `{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":"perfloop","name":${JSON.stringify(name)},"activeProfileIndex":0,`;
  yield `"shared":{"frames":${JSON.stringify(frames)}},"profiles":[{"type":"sampled","name":${JSON.stringify(name)},"unit":"${UNITS[p.unit]}","startValue":0,"endValue":${total},"samples":[`;
  const weights: number[] = [];
  let chunk = '';
  let first = true;
  for (let k = 0; k < order.length;) {
    const node = p.sampleNode[order[k]];
    let weight = 0;
    for (; k < order.length && p.sampleNode[order[k]] === node; k++) weight += p.sampleWeight[order[k]];
    const stack: number[] = [];
    for (let a = node; a >= 0; a = p.nodeParent[a]) stack.push(p.nodeFrame[a]);
    chunk += `${first ? '' : ','}[${stack.reverse().join(',')}]`;
    first = false;
    weights.push(weight);
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}],"weights":[`;
  for (let i = 0; i < weights.length; i += 100_000)
    yield `${i > 0 ? ',' : ''}${weights.slice(i, i + 100_000).join(',')}`;
  yield ']}]}\n';
}

/** Sample indices in time order (the stored order when the profile has no time). */
export function sampleOrder(p: Profile): Uint32Array {
  const order = new Uint32Array(p.sampleCount);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const t = p.sampleTime;
  if (t) {
    let sorted = true;
    for (let i = 1; i < t.length && sorted; i++) if (t[i] < t[i - 1]) sorted = false;
    if (!sorted) order.sort((a, b) => t[a] - t[b] || a - b);
  }
  return order;
}
