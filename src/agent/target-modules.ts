import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Finds the copies of a package (pg, @electric-sql/pglite) that the TARGET uses, so the agent
 * patches the very module instances the service calls — not a copy of its own. A package can
 * exist twice in one process: its CommonJS build (keyed in require.cache by real path) and its
 * ESM build (keyed in the ESM loader by file URL). Both are resolved from the target's directories.
 */

const requireHere = createRequire(import.meta.url);

/** Where the target's packages resolve from: its working directory and its entry script's dir. */
export function targetDirs(): string[] {
  const dirs = [process.cwd()];
  const entry = process.argv[1];
  if (entry) {
    try {
      dirs.push(dirname(realpathSync(entry)));
    } catch {
      dirs.push(dirname(entry));
    }
  }
  return [...new Set(dirs)];
}

/** Real paths of the CommonJS entry of `name` as the target's `require` would resolve it. */
export function resolveCjs(name: string, dirs: string[]): string[] {
  const files = new Set<string>();
  for (const dir of dirs) {
    try {
      files.add(realpathSync(createRequire(join(dir, '__perfloop_agent__.js')).resolve(name)));
    } catch {
      /* not installed there */
    }
  }
  return [...files];
}

/** The exports of a CommonJS file if (and only if) the target has already loaded it. */
export function loadedCjs(file: string): unknown {
  return requireHere.cache[file]?.exports;
}

/**
 * Real paths of the ESM entry of `name` (package.json "exports" '.', conditions import/node/default).
 * A package whose ESM entry is really CommonJS yields nothing: that is the CJS copy again.
 */
export function resolveEsm(name: string, dirs: string[]): string[] {
  const files = new Set<string>();
  for (const dir of dirs) {
    try {
      const pkgDir = findPackageDir(name, dir);
      if (pkgDir === null) continue;
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
      const target = esmEntry(pkg);
      if (target === undefined) continue;
      const file = realpathSync(join(pkgDir, target));
      if (isEsmFile(file, pkg)) files.add(file);
    } catch {
      /* unreadable package: nothing to patch */
    }
  }
  return [...files];
}

/** Same file URL as the target's own import, hence the same module instance. */
export async function importEsm(file: string): Promise<unknown> {
  return import(pathToFileURL(file).href);
}

interface PackageJson {
  type?: string;
  main?: string;
  exports?: unknown;
}

function findPackageDir(name: string, from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const CONDITIONS = new Set(['import', 'node', 'default']);

function esmEntry(pkg: PackageJson): string | undefined {
  if (pkg.exports === undefined) return pkg.main ?? 'index.js';
  const exp = pkg.exports;
  const isSubpathMap =
    exp !== null &&
    typeof exp === 'object' &&
    !Array.isArray(exp) &&
    Object.keys(exp).some((k) => k.startsWith('.'));
  return resolveTarget(isSubpathMap ? (exp as Record<string, unknown>)['.'] : exp);
}

/** Node's conditional-exports walk: first matching condition in object key order. */
function resolveTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (target !== null && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const r = resolveTarget(value);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

function isEsmFile(file: string, pkg: PackageJson): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  return pkg.type === 'module';
}
