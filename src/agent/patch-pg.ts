import type { PoolRegistry } from './pool-registry.js';
import type { QueryRecorder } from './query-recorder.js';
import { safeGet, wrapMethod } from './patch-util.js';

/**
 * Query capture for node-postgres: wraps Client.prototype.query (pg.Pool runs every query through
 * a Client, so pools are covered) and Pool.prototype.connect (to register pools for the gauges).
 * Handles the promise form, the callback forms (`query(text, cb)`, `query(text, values, cb)`,
 * `query({ text, callback })`) and pg.Query submittables. The user's callback is called exactly as
 * before — same arguments, same `this`, its exceptions untouched.
 */
export function patchPg(moduleExports: unknown, recorder: QueryRecorder, pools: PoolRegistry): boolean {
  // The ESM namespace carries the CommonJS exports as `default`.
  const pg = (
    safeGet(moduleExports, 'Client') ? moduleExports : safeGet(moduleExports, 'default')
  ) as unknown;
  const Client = safeGet(pg, 'Client') as { prototype?: object } | undefined;
  const Pool = safeGet(pg, 'Pool') as { prototype?: object } | undefined;
  const QueryClass = safeGet(pg, 'Query') as (abstract new (...a: never[]) => unknown) | undefined;
  const patchedQuery = wrapMethod(
    Client?.prototype,
    'query',
    (original) =>
      function query(this: unknown, ...args: unknown[]) {
        let span = null;
        let promiseForm = false;
        try {
          const config = args[0] as Record<string, unknown> | string | null | undefined;
          if (config !== null && config !== undefined) {
            const text = typeof config === 'string' ? config : safeGet(config, 'text');
            const values = typeof config === 'string' ? (Array.isArray(args[1]) ? args[1] : undefined) : safeGet(config, 'values');
            if (typeof safeGet(config, 'submit') === 'function') {
              // A submittable: pg.Query emits 'end'. Never add an 'error' listener — that would
              // swallow an error the target does not handle itself.
              if (
                QueryClass &&
                config instanceof QueryClass &&
                typeof safeGet(config, 'once') === 'function'
              ) {
                span = recorder.begin('pg', text, values);
                const s = span;
                (config as unknown as NodeJS.EventEmitter).once('end', (r: unknown) =>
                  recorder.end(s, () => rowsOf(r)),
                );
              }
            } else {
              const at = callbackIndex(args);
              const configCallback =
                typeof config === 'object' && typeof safeGet(config, 'callback') === 'function';
              // config.callback on an arbitrary object: leave that call alone rather than copy the object.
              span = at < 0 && configCallback ? null : recorder.begin('pg', text, values);
              const s = span;
              if (s === null) {
                /* not measured */
              } else if (at >= 0) {
                const callback = args[at] as (...a: unknown[]) => unknown;
                args[at] = function (this: unknown, ...cbArgs: unknown[]) {
                  const error = cbArgs[0];
                  recorder.end(
                    s,
                    () => rowsOf(cbArgs[1]),
                    error === null || error === undefined ? undefined : error,
                  );
                  return Reflect.apply(callback, this, cbArgs);
                };
              } else {
                promiseForm = true;
              }
            }
          }
        } catch {
          span = null;
          promiseForm = false;
        }
        const out = Reflect.apply(original, this, args);
        if (!promiseForm || span === null) return out;
        try {
          if (
            out !== null &&
            typeof out === 'object' &&
            typeof (out as PromiseLike<unknown>).then === 'function'
          ) {
            return recorder.track(span, out as PromiseLike<unknown>, rowsOf);
          }
        } catch {
          /* fall through: the original result */
        }
        return out;
      },
  );
  wrapMethod(
    Pool?.prototype,
    'connect',
    (original) =>
      function connect(this: unknown, ...args: unknown[]) {
        pools.register(this);
        return Reflect.apply(original, this, args);
      },
  );
  return patchedQuery;
}

/** Where the callback sits: `query(text, cb)` → 1, `query(text, values, cb)` → 2, none → -1. */
function callbackIndex(args: unknown[]): number {
  if (typeof args[1] === 'function') return 1;
  if (typeof args[2] === 'function') return 2;
  return -1;
}

/** rowCount (rows affected or returned), falling back to rows.length; summed for multi-statement. */
function rowsOf(result: unknown): number {
  if (Array.isArray(result)) return result.reduce((sum: number, r: unknown) => sum + rowsOf(r), 0);
  const rowCount = safeGet(result, 'rowCount');
  if (typeof rowCount === 'number') return rowCount;
  const rows = safeGet(result, 'rows');
  return Array.isArray(rows) ? rows.length : 0;
}
