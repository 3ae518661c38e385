import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import type { Tags } from '../../core/metric.js';
import type { LoadRecorder } from '../recorder.js';
import type { CookieJar } from './cookie-jar.js';
import type { VuConnections } from './http1-pool.js';
import { toArrayBuffer } from './http-body.js';

/**
 * What transformed k6 code calls at run time (imported as `__k6rt`, see transform.ts), and the thread's
 * k6 state: the VU running right now, the loop guard, `open()` and the globals `__VU`, `__ITER`, `__ENV`.
 * One thread runs many VUs, but only one at a time between awaits: the transform restores `cur` after
 * every await, so plain module state is exact here.
 */

export interface K6Vu {
  /** `__VU`: 1-based, unique in the test (0 in setup/teardown and the init context). */
  id: number;
  /** `__ITER`: this VU's iteration, 0-based. */
  iteration: number;
  iterationInScenario: number;
  scenario: string;
  scenarioTags: Record<string, string>;
  /** `::name::sub` like k6's group path ('' at the root). */
  group: string;
  /** `exec.vu.tags` / `metrics.tags`: added to every sample of this VU. */
  tags: Record<string, string>;
  /** Coordinated-omission correction owed to the iteration's first request. */
  lateMs: number;
  closed: boolean;
  jar: CookieJar;
  /** Pending sleeps, woken when the VU is interrupted. */
  wake: Set<() => void>;
  /** Connect time waiting to be attributed to the next request that opened a connection. */
  connects: { tcpMs: number; tlsMs: number }[];
  /** undici's pool for https://, made on the VU's first https request. */
  dispatcher: Dispatcher | null;
  /** The VU's plain-http connections (perfloop's HTTP/1.1 client), made on its first http:// request. */
  conns: VuConnections | null;
  httpOptions: { insecure: boolean; perHost: number };
  scenarioStartedAt: number;
  executor: string;
  /** Tags of a request site (method, URL, group), reused so the recorder keys each series once. */
  tagCache: Map<string, Tags>;
  /** The scenario's planned duration (exec.scenario.progress). */
  plannedMs: number;
  /** `__ENV` of this VU: the process environment with its scenario's `env` over it (absent: no scenario env). */
  env?: Record<string, string | undefined>;
}

/** Thread-wide settings of the k6 modules (script options and CLI flags). */
export interface K6Config {
  recorder: () => LoadRecorder | null;
  maxRedirects: number;
  userAgent: string;
  discardResponseBodies: boolean;
  timeoutMs: number;
  batchPerHost: number;
  batch: number;
  httpDebug: '' | 'headers' | 'full';
  /** k6's `noConnectionReuse`: every request on a new connection (each sends `Connection: close`, as Go's client does). */
  noConnectionReuse: boolean;
  /** Sequence numbers of the test: `exec.scenario.iterationInTest` etc. */
  testStartedAt: number;
  abort: (reason: string) => void;
  options: Record<string, unknown>;
}

export let cur: K6Vu | null = null;
export let config: K6Config | null = null;

export function enter(vu: K6Vu | null): void {
  cur = vu;
}
export function configure(c: K6Config | null): void {
  config = c;
}

/** After an await: this VU is the one running again. Returns the awaited value. */
export function r<T>(vu: K6Vu | null, value: T): T {
  cur = vu;
  return value;
}

/** Thrown into a script that is still running past its deadline or after a stop; scripts cannot catch it. */
export class K6Interrupt extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'K6Interrupt';
  }
}

let guardCount = 0;
let deadline = Infinity;
let stopFlag: Int32Array | null = null;
let interrupted: K6Interrupt | null = null;

/** The thread's hard end (performance.now() time: duration + gracefulStop) and the engine's stop flag. */
export function setDeadline(atMs: number, flag: Int32Array | null): void {
  deadline = atMs;
  stopFlag = flag;
  interrupted = null;
  guardCount = 0;
}

/** Loop guard at the top of every loop body: cheap counter, a clock read every 4096 passes. */
export function g(): void {
  if (interrupted) throw interrupted;
  if (++guardCount < 4096) return;
  guardCount = 0;
  if (performance.now() > deadline) interrupted = new K6Interrupt('the scenario ended (duration + gracefulStop)');
  else if (stopFlag && Atomics.load(stopFlag, 0) !== 0) interrupted = new K6Interrupt('the test was stopped');
  if (interrupted) throw interrupted;
}

/** First statement of every catch clause: the interrupt is not the script's to handle. */
export function rethrow(e: unknown): void {
  if (e instanceof K6Interrupt) throw e;
}

export function isInterrupt(e: unknown): boolean {
  return e instanceof K6Interrupt;
}

/** Runs an array method whose callback blocks, one element after the other (what k6's sync call would do). */
export function each(target: unknown, method: string) {
  const vu = cur;
  return async (cb: (...a: unknown[]) => unknown, ...rest: unknown[]): Promise<unknown> => {
    const call = async (...a: unknown[]) => {
      cur = vu;
      const v = await cb(...a);
      cur = vu;
      return v;
    };
    if (target instanceof Map || target instanceof Set) {
      if (method !== 'forEach') throw new TypeError(`${method} is not a function`);
      for (const [k, v] of target.entries()) await call(v, k, target);
      return undefined;
    }
    if (!Array.isArray(target)) {
      const fn = (target as Record<string, unknown>)?.[method];
      if (typeof fn !== 'function') throw new TypeError(`${method} is not a function`);
      return fn.call(target, cb, ...rest);
    }
    const arr = target;
    const out: unknown[] = [];
    switch (method) {
      case 'forEach':
        for (let i = 0; i < arr.length; i++) if (i in arr) await call(arr[i], i, arr);
        return undefined;
      case 'map':
        for (let i = 0; i < arr.length; i++) out[i] = await call(arr[i], i, arr);
        return out;
      case 'flatMap':
        for (let i = 0; i < arr.length; i++) out.push(await call(arr[i], i, arr));
        return out.flat();
      case 'filter':
        for (let i = 0; i < arr.length; i++) if (await call(arr[i], i, arr)) out.push(arr[i]);
        return out;
      case 'some':
        for (let i = 0; i < arr.length; i++) if (await call(arr[i], i, arr)) return true;
        return false;
      case 'every':
        for (let i = 0; i < arr.length; i++) if (!(await call(arr[i], i, arr))) return false;
        return true;
      case 'find':
      case 'findIndex':
        for (let i = 0; i < arr.length; i++)
          if (await call(arr[i], i, arr)) return method === 'find' ? arr[i] : i;
        return method === 'find' ? undefined : -1;
      case 'findLast':
      case 'findLastIndex':
        for (let i = arr.length - 1; i >= 0; i--)
          if (await call(arr[i], i, arr)) return method === 'findLast' ? arr[i] : i;
        return method === 'findLast' ? undefined : -1;
      case 'reduce': {
        let i = 0;
        let acc: unknown;
        if (rest.length > 0) acc = rest[0];
        else if (arr.length === 0) throw new TypeError('Reduce of empty array with no initial value');
        else acc = arr[i++];
        for (; i < arr.length; i++) acc = await call(acc, arr[i], i, arr);
        return acc;
      }
    }
    throw new TypeError(`${method} is not supported with a blocking callback`);
  };
}

const openCache = new Map<string, string | ArrayBuffer>();

/** k6's `open(path, mode)`: a file relative to the module that calls it, read once; `'b'` gives an ArrayBuffer. */
export function open(moduleUrl: string, path: string, mode?: string): string | ArrayBuffer {
  if (cur) throw new Error('open() can only be called in the init context (outside of functions)');
  const base = moduleUrl.startsWith('file:') ? dirname(fileURLToPath(moduleUrl)) : process.cwd();
  const file = isAbsolute(path) ? path : resolve(base, path);
  const key = `${mode === 'b' ? 'b' : 't'}|${file}`;
  let v = openCache.get(key);
  if (v === undefined) {
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (e) {
      throw new Error(`open(${JSON.stringify(path)}): ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file ${file}` : (e as Error).message}`, { cause: e });
    }
    v = mode === 'b' ? toArrayBuffer(buf) : buf.toString('utf8');
    openCache.set(key, v);
  }
  return v;
}

/**
 * k6's globals. `__ENV` is the process environment (the CLI puts `-e KEY=VAL` there first), with the running
 * VU's scenario `env` over it.
 */
function defineGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  if ('__ITER' in g) return;
  Object.defineProperty(g, '__VU', { get: () => cur?.id ?? 0, configurable: true });
  Object.defineProperty(g, '__ITER', { get: () => cur?.iteration ?? 0, configurable: true });
  Object.defineProperty(g, '__ENV', { get: () => cur?.env ?? process.env, configurable: true });
}
defineGlobals();
