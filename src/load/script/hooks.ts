/**
 * Node module hooks for load scripts (registered with `module.register`, run on Node's loader thread):
 * `perfloop/load` and `k6/metrics` resolve to perfloop's custom-metric API wherever the script lives;
 * k6 scripts (they import `k6`, `k6/…` or jslib.k6.io) get k6's modules and jslib equivalents and are
 * transformed to run k6's synchronous model on the engine (../k6/transform.ts), with the local modules they
 * import; `.ts`/`.mts` scripts are transpiled with the `typescript` package when it is installed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { classifyImport, looksLikeK6 } from '../k6/imports.js';
import { transformK6 } from '../k6/transform.js';

const API_URL = new URL('./api.js', import.meta.url).href;
const RUNTIME_URL = new URL('../k6/runtime.js', import.meta.url).href;
const ALIASES = new Set(['perfloop/load', 'k6/metrics']);
/** Modules that run in k6 mode: k6 scripts and the local modules they import. */
const k6Modules = new Set<string>();
/** perfloop's own compiled files: never k6 scripts. */
const OWN_DIST = new URL('../../../', import.meta.url).href;
const mayBeScript = (url: string) =>
  url.startsWith('file:') && /\.m?js$/.test(new URL(url).pathname) && !url.startsWith(OWN_DIST) && !url.includes('/node_modules/');

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
  context: { parentURL?: string },
  next: (s: string, c: unknown) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  const fromK6 = context.parentURL !== undefined && k6Modules.has(context.parentURL);
  if (ALIASES.has(specifier) && !fromK6) return { url: API_URL, shortCircuit: true };
  const target = classifyImport(specifier);
  if (target.kind === 'module')
    return { url: new URL(`../k6/modules/${target.file}.js`, import.meta.url).href, shortCircuit: true };
  if (target.kind === 'jslib')
    return { url: new URL(`../k6/jslib/${target.file}.js`, import.meta.url).href, shortCircuit: true };
  if (target.kind === 'unsupported') throw new Error(target.reason);
  const resolved = await next(specifier, context);
  if (fromK6 && resolved.url.startsWith('file:') && /\.m?js$/.test(new URL(resolved.url).pathname))
    k6Modules.add(resolved.url);
  return resolved;
}

export async function load(
  url: string,
  context: unknown,
  next: (u: string, c: unknown) => Promise<LoadResult>,
): Promise<LoadResult> {
  if (mayBeScript(url)) {
    const file = fileURLToPath(url);
    const source = await readFile(file, 'utf8');
    if (k6Modules.has(url) || looksLikeK6(source)) {
      k6Modules.add(url);
      return {
        format: 'module',
        source: transformK6(source, { runtimeUrl: RUNTIME_URL, file }),
        shortCircuit: true,
      };
    }
  }
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
