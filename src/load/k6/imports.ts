import { readFileSync } from 'node:fs';
/**
 * Which imports a k6 script may use and where perfloop finds them: k6's built-in modules map to
 * `modules/<name>.js`, the commonly used jslib.k6.io libraries to built-in equivalents in `jslib/` (so no
 * network is needed), and everything else is refused with a reason. Shared by the loader hooks (resolve)
 * and the transform (which reports the importing line).
 */

/** k6 module → file under src/load/k6/modules (without extension). */
export const K6_MODULES: Readonly<Record<string, string>> = {
  k6: 'k6',
  'k6/http': 'http',
  'k6/metrics': 'metrics',
  'k6/execution': 'execution',
  'k6/data': 'data',
  'k6/encoding': 'encoding',
  'k6/crypto': 'crypto',
  'k6/timers': 'timers',
  'k6/html': 'html',
  'k6/browser': 'browser',
  'k6/experimental/browser': 'browser',
};

/** Protocols and extensions perfloop's engine does not speak: a clear exit 2 instead of a half-run. */
const UNSUPPORTED: readonly [RegExp, string][] = [
  [/^k6\/net\/grpc$|^k6\/experimental\/grpc$/, 'gRPC'],
  [/^k6\/ws$|^k6\/experimental\/websockets$/, 'WebSocket'],
  [/^k6\/experimental\//, 'an experimental k6 module'],
  [/^k6\/x\//, 'a k6 extension (xk6)'],
];

/** jslib.k6.io path (after the host) → file under src/load/k6/jslib. */
const JSLIB: readonly [RegExp, string][] = [
  [/^\/k6-utils\/[\d.]+\/index\.js$/, 'k6-utils'],
  [/^\/papaparse\/[\d.]+\/index\.js$/, 'papaparse'],
  [/^\/k6-summary\/[\d.]+\/index\.js$/, 'k6-summary'],
  [/^\/httpx\/[\d.]+\/index\.js$/, 'httpx'],
  [/^\/url\/[\d.]+\/index\.js$/, 'url'],
];

export type ImportTarget =
  | { kind: 'module'; file: string }
  | { kind: 'jslib'; file: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'local' };

/** Where an import of a k6 script goes; `local` for relative and file paths (left to Node). */
export function classifyImport(specifier: string): ImportTarget {
  const builtin = K6_MODULES[specifier];
  if (builtin) return { kind: 'module', file: builtin };
  for (const [re, reason] of UNSUPPORTED)
    if (re.test(specifier))
      return { kind: 'unsupported', reason: `module "${specifier}" (${reason}) is not supported by perfloop` };
  if (specifier === 'k6' || specifier.startsWith('k6/'))
    return { kind: 'unsupported', reason: `module "${specifier}" is not a k6 module perfloop knows` };
  if (/^https?:\/\//.test(specifier)) {
    const u = new URL(specifier);
    if (u.hostname === 'jslib.k6.io')
      for (const [re, file] of JSLIB) if (re.test(u.pathname)) return { kind: 'jslib', file };
    return {
      kind: 'unsupported',
      reason: `remote module ${specifier} is not available offline (perfloop has built-in k6-utils, papaparse, k6-summary, httpx and url from jslib.k6.io; download others next to the script)`,
    };
  }
  return { kind: 'local' };
}

/**
 * True when a script is written for k6 rather than perfloop's ctx API: it imports a k6 module (other than
 * k6/metrics, which ctx scripts use too) or a jslib URL, uses k6's globals, or its default function takes
 * no parameter (a ctx script's takes `ctx`) and it does not import perfloop/load.
 */
export function looksLikeK6(source: string): boolean {
  if (/\bfrom\s*['"](k6(\/(?!metrics['"])[^'"]*)?|https?:\/\/jslib\.k6\.io\/[^'"]*)['"]|\bimport\s*['"]k6/.test(source))
    return true;
  if (/['"]perfloop\/load['"]/.test(source)) return false;
  return (
    /\b(__ENV|__VU|__ITER)\b/.test(source) ||
    /export\s+default\s+(async\s+)?function\s*[\w$]*\s*\(\s*\)/.test(source)
  );
}

/** Reads a script file and tells whether it is a k6 script (see looksLikeK6). */
export function isK6Script(path: string): boolean {
  try {
    return looksLikeK6(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}
