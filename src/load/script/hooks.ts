/**
 * Node module hooks for load scripts (registered with `module.register`, run on Node's loader thread):
 * `perfloop/load` and `k6/metrics` resolve to perfloop's custom-metric API wherever the script lives, and
 * `.ts`/`.mts` scripts are transpiled with the `typescript` package when it is installed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const API_URL = new URL('./api.js', import.meta.url).href;
const ALIASES = new Set(['perfloop/load', 'k6/metrics']);

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array;
  shortCircuit?: boolean;
}

export async function resolve(
  specifier: string,
  context: unknown,
  next: (s: string, c: unknown) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  if (ALIASES.has(specifier)) return { url: API_URL, shortCircuit: true };
  return next(specifier, context);
}

export async function load(
  url: string,
  context: unknown,
  next: (u: string, c: unknown) => Promise<LoadResult>,
): Promise<LoadResult> {
  if (url.startsWith('file:') && /\.m?ts$/.test(new URL(url).pathname)) {
    let ts: typeof import('typescript');
    try {
      ts = (await import('typescript')).default;
    } catch {
      throw new Error(
        `${fileURLToPath(url)}: TypeScript scripts need the "typescript" package (npm install typescript), or write the script in JavaScript`,
      );
    }
    const fileName = fileURLToPath(url);
    const out = ts.transpileModule(await readFile(fileName, 'utf8'), {
      fileName,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        inlineSourceMap: true,
        inlineSources: true,
      },
    });
    return { format: 'module', source: out.outputText, shortCircuit: true };
  }
  return next(url, context);
}
