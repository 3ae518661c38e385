import type { Profile } from '../../core/profile.js';

/**
 * What the top-consumers table counts as one function. V8 names WebAssembly code `wasm-function[N]`: hundreds
 * of such rows (PGlite, sql.js, image codecs) say nothing to a user, so each module's wasm code is one entry,
 * named after its package.
 */
export interface FrameGroups {
  groupOf: Int32Array;
  count: number;
  names: string[];
  /** A frame of each group (its file and line stand for the group). */
  representative: number[];
  /** True for a group of several frames. */
  merged: boolean[];
}

const WASM = /^wasm-function\[\d+\]$|^\$?wasm-/;

export function packageOf(file: string | undefined): string | undefined {
  const m = file ? /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file) : null;
  return m?.[1];
}

export function groupFrames(p: Profile): FrameGroups {
  const groupOf = new Int32Array(p.frames.length);
  const names: string[] = [];
  const representative: number[] = [];
  const merged: boolean[] = [];
  const wasmGroups = new Map<string, number>();
  p.frames.forEach((f, i) => {
    if (f.kind === 'code' && WASM.test(f.name)) {
      const key = f.file ?? '';
      let g = wasmGroups.get(key);
      if (g === undefined) {
        g = names.length;
        wasmGroups.set(key, g);
        names.push(
          `${packageOf(f.file) ?? `wasm module ${f.file?.split('/').pop() ?? ''}`.trim()} (WebAssembly)`,
        );
        representative.push(i);
        merged.push(true);
      }
      groupOf[i] = g;
      return;
    }
    groupOf[i] = names.length;
    names.push(f.name);
    representative.push(i);
    merged.push(false);
  });
  // wasm code has URLs like wasm://wasm/022c915e: name the module after the package of its nearest JS caller.
  const named = new Set<number>();
  for (let n = 0; n < p.nodeCount && named.size < wasmGroups.size; n++) {
    const g = groupOf[p.nodeFrame[n]];
    if (!merged[g] || named.has(g)) continue;
    for (let a = p.nodeParent[n]; a >= 0; a = p.nodeParent[a]) {
      const caller = p.frames[p.nodeFrame[a]];
      if (
        caller.kind === 'code' &&
        caller.file &&
        !WASM.test(caller.name) &&
        !caller.file.startsWith('wasm:')
      ) {
        const pkg = packageOf(caller.file);
        if (pkg) names[g] = `${pkg} (WebAssembly)`;
        named.add(g);
        break;
      }
    }
  }
  return { groupOf, count: names.length, names, representative, merged };
}
