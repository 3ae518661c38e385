import { register } from 'node:module';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerfloopError } from '../../core/errors.js';
import type { LoadScriptOptions } from '../options.js';

/** What a JS/TS load script exports (k6's shape, with `ctx` instead of k6's globals). */
export interface ScriptModule {
  options: LoadScriptOptions;
  default?: IterationFn;
  setup?: (ctx: unknown) => unknown;
  teardown?: (ctx: unknown) => unknown;
  /** Names of exported functions (scenario `exec`). */
  functions: string[];
  fn(name: string): IterationFn | undefined;
}

export type IterationFn = (ctx: unknown) => unknown;

let hooksRegistered = false;

/** Registers perfloop's module hooks in this thread once (aliases for custom metrics, TypeScript). */
export function registerScriptHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  register(new URL('./hooks.js', import.meta.url));
}

/** Imports a JS/TS module load script; bad scripts are a PerfloopError (exit 2), not a stack trace. */
export async function importScript(path: string): Promise<ScriptModule> {
  const abs = resolvePath(path);
  if (!existsSync(abs)) throw new PerfloopError('LOAD_NO_SCRIPT', `script ${path} does not exist`);
  registerScriptHooks();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new PerfloopError('LOAD_BAD_SCRIPT', `${path}: ${(e as Error).message}`, { cause: e });
  }
  const options = (mod.options ?? {}) as LoadScriptOptions;
  if (typeof options !== 'object' || options === null)
    throw new PerfloopError('LOAD_BAD_SCRIPT', `${path}: "options" must be an object`);
  const functions = Object.entries(mod)
    .filter(([, v]) => typeof v === 'function')
    .map(([k]) => k);
  const fn = (name: string) => (typeof mod[name] === 'function' ? (mod[name] as IterationFn) : undefined);
  return {
    options,
    default: fn('default'),
    setup: fn('setup') as ScriptModule['setup'],
    teardown: fn('teardown') as ScriptModule['teardown'],
    functions,
    fn,
  };
}

/**
 * Each scenario's iteration function (`exec`, else `default`), or a PerfloopError naming the missing export;
 * `example` is how the default export should look in this kind of script, for the message.
 */
export function scenarioFunctions(
  mod: ScriptModule,
  scenarios: readonly { name: string; exec?: string }[],
  path: string,
  example: string,
): Map<string, IterationFn> {
  const fns = new Map<string, IterationFn>();
  for (const s of scenarios) {
    const name = s.exec ?? 'default';
    const fn = mod.fn(name);
    if (!fn)
      throw new PerfloopError(
        'LOAD_BAD_SCRIPT',
        `${path}: exports no function ${JSON.stringify(name)}${s.exec ? ` (scenarios.${s.name}.exec)` : ` (${example})`}`,
      );
    fns.set(s.name, fn);
  }
  return fns;
}
