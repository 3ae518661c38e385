import type { QueryRecorder } from './query-recorder.js';
import { safeGet, wrapMethod } from './patch-util.js';
import type { DbHandles } from './db-handles.js';

type Fn = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Query capture for PGlite: wraps PGlite.prototype.query and .exec (`sql` goes through `query`),
 * and the `tx` object a `transaction(cb)` callback receives (whose methods bypass the public ones).
 * Each wrapper returns a promise that settles exactly like the original.
 */
export function patchPglite(moduleExports: unknown, recorder: QueryRecorder, handles?: DbHandles): boolean {
  const PGlite = (safeGet(moduleExports, 'PGlite') ??
    safeGet(safeGet(moduleExports, 'default'), 'PGlite')) as { prototype?: object } | undefined;
  const proto = PGlite?.prototype;
  const query = wrapMethod(proto, 'query', (original) =>
    noting(
      handles,
      measured(recorder, original, (args) => args[0], queryRows),
    ),
  );
  const exec = wrapMethod(proto, 'exec', (original) =>
    measured(recorder, original, (args) => args[0], execRows),
  );
  wrapMethod(
    proto,
    'transaction',
    (original) =>
      function transaction(this: unknown, ...args: unknown[]) {
        const callback = args[0];
        if (typeof callback === 'function') {
          args[0] = function (this: unknown, tx: unknown, ...rest: unknown[]) {
            return Reflect.apply(callback, this, [wrapTransaction(tx, recorder), ...rest]);
          };
        }
        return Reflect.apply(original, this, args);
      },
  );
  return query || exec;
}

/** Remembers the instance a query ran on, so the CLI can ask the same database for plans. */
function noting(handles: DbHandles | undefined, fn: Fn): Fn {
  if (!handles) return fn;
  return function (this: unknown, ...args: unknown[]) {
    try {
      handles.notePglite(this);
    } catch {
      /* never disturb the query */
    }
    return Reflect.apply(fn, this, args);
  };
}

function measured(
  recorder: QueryRecorder,
  original: Fn,
  textOf: (args: unknown[]) => unknown,
  rows: (result: unknown) => number,
): Fn {
  return function (this: unknown, ...args: unknown[]) {
    const span = recorder.begin('pglite', textOf(args), Array.isArray(args[1]) ? args[1] : undefined);
    const out = Reflect.apply(original, this, args);
    try {
      if (
        out !== null &&
        typeof out === 'object' &&
        typeof (out as PromiseLike<unknown>).then === 'function'
      ) {
        return recorder.track(span, out as PromiseLike<unknown>, rows);
      }
    } catch {
      /* fall through: the original result */
    }
    return out;
  };
}

/** A view of the transaction object whose query/exec/sql are measured; everything else inherited. */
function wrapTransaction(tx: unknown, recorder: QueryRecorder): unknown {
  try {
    if (tx === null || typeof tx !== 'object') return tx;
    const view = Object.create(tx) as Record<string, unknown>;
    const methods: [string, (args: unknown[]) => unknown, (r: unknown) => number][] = [
      ['query', (args) => args[0], queryRows],
      ['exec', (args) => args[0], execRows],
      ['sql', (args) => templateText(args), queryRows],
    ];
    for (const [name, textOf, rows] of methods) {
      const original = safeGet(tx, name);
      if (typeof original === 'function') view[name] = measured(recorder, original as Fn, textOf, rows);
    }
    return view;
  } catch {
    return tx;
  }
}

/** PGlite Results: rows returned, or rows affected for INSERT/UPDATE/DELETE without RETURNING. */
function queryRows(result: unknown): number {
  const rows = safeGet(result, 'rows');
  const returned = Array.isArray(rows) ? rows.length : 0;
  if (returned > 0) return returned;
  const affected = safeGet(result, 'affectedRows');
  return typeof affected === 'number' ? affected : 0;
}

function execRows(results: unknown): number {
  return Array.isArray(results) ? results.reduce((sum: number, r: unknown) => sum + queryRows(r), 0) : 0;
}

/** `sql\`SELECT … ${x}\`` as `SELECT … $1`. */
function templateText(args: unknown[]): string {
  const strings = args[0];
  if (!Array.isArray(strings)) return String(strings ?? '');
  return strings.reduce(
    (text: string, part: unknown, i: number) => (i === 0 ? String(part) : `${text}$${i}${String(part)}`),
    '',
  );
}
