import { patchPg } from './patch-pg.js';
import { patchPglite } from './patch-pglite.js';
import type { DbHandles } from './db-handles.js';
import type { PoolRegistry } from './pool-registry.js';
import type { QueryRecorder } from './query-recorder.js';
import { importEsm, loadedCjs, resolveCjs, resolveEsm, targetDirs } from './target-modules.js';

interface DriverSpec {
  packageName: string;
  patch: (moduleExports: unknown) => boolean;
  /** pg's ESM entry only re-exports its CommonJS build: patching the CJS copy covers both. */
  esmWrapsCjs: boolean;
}

/**
 * Finds and patches the database drivers the target uses. Only copies the target has actually
 * loaded are patched — loading pg into a service that never uses it would cost ~4 MB of heap and
 * ~40 ms of blocked event loop, and distort the very memory we measure:
 * - a CommonJS copy is patched once it appears in require.cache (re-checked by `poll()` on every
 *   sample, so a driver required lazily after startup is still caught);
 * - an ESM copy (PGlite ships a separate one) cannot be seen in the ESM loader's cache, so it is
 *   imported — same file URL, same instance — unless the target already loaded the CJS copy.
 */
export class DriverPatcher {
  private readonly waiting = new Map<string, DriverSpec>();
  readonly patched: string[] = [];

  constructor(recorder: QueryRecorder, pools: PoolRegistry, handles?: DbHandles) {
    this.specs = [
      { packageName: 'pg', patch: (m) => patchPg(m, recorder, pools), esmWrapsCjs: true },
      {
        packageName: '@electric-sql/pglite',
        patch: (m) => patchPglite(m, recorder, handles),
        esmWrapsCjs: false,
      },
    ];
  }

  private readonly specs: DriverSpec[];

  async install(): Promise<void> {
    const dirs = targetDirs();
    for (const spec of this.specs) {
      try {
        let cjsLoaded = false;
        for (const file of resolveCjs(spec.packageName, dirs)) {
          if (this.patchCjs(file, spec)) cjsLoaded = true;
          else this.waiting.set(file, spec);
        }
        if (spec.esmWrapsCjs || cjsLoaded) continue;
        for (const file of resolveEsm(spec.packageName, dirs)) {
          try {
            if (spec.patch(await importEsm(file))) this.patched.push(`${spec.packageName} (esm)`);
          } catch {
            /* a driver that fails to load is one the target cannot use either */
          }
        }
      } catch {
        /* never let driver discovery hurt the service */
      }
    }
  }

  /** Patches CommonJS copies loaded since the last call. Cheap: one cache lookup per copy. */
  poll(): void {
    for (const [file, spec] of this.waiting) {
      if (this.patchCjs(file, spec)) this.waiting.delete(file);
    }
  }

  private patchCjs(file: string, spec: DriverSpec): boolean {
    try {
      const exports = loadedCjs(file);
      if (exports === undefined) return false;
      if (spec.patch(exports)) this.patched.push(`${spec.packageName} (cjs)`);
      return true;
    } catch {
      return true; // patching failed for good: stop retrying
    }
  }
}
