/**
 * PERFLOOP_DEMO_FIXES: which planted problems are fixed in this process. Empty (or unset) means every
 * problem is on; `all` fixes everything; otherwise a comma list of fix ids from the catalog.
 */
import { demoFixes } from './catalog.js';

export type FixId =
  'n-plus-one' | 'missing-index' | 'serialization' | 'sync-logging' | 'sequential-awaits' | 'unbounded-cache';

/** Bad configuration: the server prints `message` on one stderr line and exits with code 2. */
export class DemoConfigError extends Error {
  override readonly name = 'DemoConfigError';
}

export interface Fixes {
  has(id: FixId): boolean;
  /** Enabled ids in catalog order. */
  readonly enabled: readonly FixId[];
}

const knownIds = demoFixes.map((f) => f.id);

export function parseFixes(raw: string | undefined): Fixes {
  const text = (raw ?? '').trim();
  const requested =
    text.toLowerCase() === 'all'
      ? knownIds
      : text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  const unknown = requested.filter((id) => !knownIds.includes(id));
  if (unknown.length > 0) {
    const names = unknown.map((id) => `'${id}'`).join(', ');
    throw new DemoConfigError(
      `unknown fix id ${names} in PERFLOOP_DEMO_FIXES (known: ${knownIds.join(', ')}, or 'all')`,
    );
  }
  const enabled = knownIds.filter((id) => requested.includes(id)) as FixId[];
  const set = new Set<FixId>(enabled);
  return { has: (id) => set.has(id), enabled };
}
