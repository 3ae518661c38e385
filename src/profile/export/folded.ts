/**
 * Folded stacks for FlameGraph, inferno, speedscope and perfloop itself: one line per stack with weight, root
 * first. Frames with a known file are written py-spy style, `name (file:line)`, which those tools show as is
 * and perfloop reads back into name, file and line; kernel frames and JIT frames from a perf map carry the
 * peers' annotations instead, `name_[k]` and `name_[j]` (stackcollapse-perf.pl --all), which flamegraph.pl colours.
 */
import type { Profile } from '../../core/profile.js';
import { frameWeights } from '../analyse/weights.js';
import { isKernelModule, isPerfMap } from '../import/perf-symbol.js';

const clean = (s: string) => s.replace(/[;\r\n]/g, '_');

export function foldedFrameText(f: { name: string; file?: string; line?: number }): string {
  const name = clean(f.name) || '(anonymous)';
  if (isKernelModule(f.file)) return `${name}_[k]`;
  if (isPerfMap(f.file)) return `${name}_[j]`;
  return f.file ? `${name} (${clean(f.file)}:${f.line ?? 0})` : name;
}

/** Lines in chunks of about 1 MB, so a huge profile never becomes one string. */
export function* foldedChunks(p: Profile): Generator<string> {
  const w = frameWeights(p);
  const text = p.frames.map(foldedFrameText);
  const integral = p.unit === 'samples' || p.unit === 'count' || p.unit === 'bytes';
  let chunk = '';
  const path: string[] = [];
  for (let n = 0; n < p.nodeCount; n++) {
    const weight = w.nodeSelf[n];
    if (weight <= 0) continue;
    path.length = 0;
    for (let a = n; a >= 0; a = p.nodeParent[a]) path.push(text[p.nodeFrame[a]]);
    path.reverse();
    const value = integral ? Math.round(weight) : Math.round(weight * 1000) / 1000;
    chunk += `${path.join(';')} ${value}\n`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
