import { extname } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import { applyExecutionFlags, type ExecutionFlags } from './cli-options.js';
import { applyK6Flags } from './k6/cli-flags.js';
import { withoutExecution, type LoadScriptOptions } from './options.js';
import { preset as presetOf } from './presets.js';
import type { LoadResult, PresetReport } from './result.js';
import type { RequestTemplate } from './scenario.js';
import { importScript } from './script/module.js';

/**
 * What load to apply, as both `perfloop load` and `perfloop run` accept it: a request mix (URLs, a declarative
 * scenario file) or a JS/TS module (k6 or perfloop script), with the k6 options that drive it — the script's
 * own, or the ones built from `-c/-d/--rate/--stage/--preset`.
 */
export interface LoadDefinition {
  requests?: RequestTemplate[];
  script?: string;
  options: LoadScriptOptions;
  /** The preset's name and its success-criteria judge (recovery after a spike, drift over an endurance run). */
  preset?: { name: string; report: (result: LoadResult) => PresetReport };
}

/** Where the load comes from before any flag applies: the file's own options, or none for URLs. */
export interface LoadSource {
  requests?: RequestTemplate[];
  script?: string;
  options: LoadScriptOptions;
  /** URL mode: perfloop's quick defaults (10 VUs for 10 s) apply when no execution is given. */
  quick: boolean;
}

export const MODULE_EXT = ['.js', '.mjs', '.cjs', '.ts', '.mts'];
export const DECLARATIVE_EXT = ['.yaml', '.yml', '.json'];

/** A script (module) or a declarative scenario file, read with its own options. */
export async function loadSourceFile(spec: string): Promise<LoadSource> {
  const ext = extname(spec).toLowerCase();
  if (DECLARATIVE_EXT.includes(ext)) {
    // Loaded here: the YAML parser is start-up cost for every other kind of run.
    const d = (await import('./script/declarative.js')).loadDeclarative(spec);
    return { requests: d.requests, options: d.options, quick: false };
  }
  if (MODULE_EXT.includes(ext)) return { script: spec, options: (await importScript(spec)).options, quick: false };
  throw new PerfloopError(
    'USAGE',
    `${spec}: expected an http(s):// URL, a script (${MODULE_EXT.join(' ')}) or a scenario file (${DECLARATIVE_EXT.join(' ')})`,
  );
}

export interface LoadFlags extends ExecutionFlags {
  preset?: string;
  /** Multiplies a preset's durations. */
  scale?: number;
}

type FlagValues = Parameters<typeof applyK6Flags>[1];

/**
 * The source's options with the command line over them, as k6's CLI applies them: a preset replaces the
 * execution (and adds its thresholds to the script's); otherwise `-d`, `--iterations`, `--rate` and `--stage`
 * replace it and `-c` alone changes `vus`. `values` carries `--stage` and `--tag` (k6's flags).
 */
export function defineLoad(source: LoadSource, flags: LoadFlags, values: FlagValues): LoadDefinition {
  let options: LoadScriptOptions;
  let preset: LoadDefinition['preset'];
  const { preset: presetName, scale, ...execution } = flags;
  if (presetName) {
    if (Object.values(execution).some((x) => x !== undefined))
      throw new PerfloopError('USAGE', '--preset sets VUs and durations: drop -c, -d, --iterations and --rate (use --scale)');
    const p = presetOf(presetName, scale ?? 1);
    options = {
      ...withoutExecution(source.options),
      ...p.options,
      thresholds: { ...(source.options.thresholds ?? {}), ...(p.options.thresholds ?? {}) },
    };
    preset = { name: presetName, report: p.report };
  } else options = applyExecutionFlags(source.options, execution, source.quick);
  options = applyK6Flags(options, values, execution.vus);
  return { requests: source.requests, script: source.script, options, preset };
}
