import { PerfloopError } from '../../core/errors.js';
import { parseDuration } from '../duration.js';
import { withoutExecution, type LoadScriptOptions } from '../options.js';

type Values = Record<string, string | boolean | string[] | undefined>;
const list = (v: Values, k: string): string[] => {
  const x = v[k];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
};

const keyValue = (flag: string, s: string): [string, string] => {
  const i = s.indexOf('=');
  if (i <= 0) throw new PerfloopError('USAGE', `--${flag} ${JSON.stringify(s)}: expected KEY=VALUE`);
  return [s.slice(0, i), s.slice(i + 1)];
};

/**
 * `-e KEY=VAL` (k6's __ENV) and `--http-debug`: set in the process environment before the script is
 * imported, so the init context, setup and every worker thread see them, as in k6.
 */
export function applyK6Env(v: Values): void {
  for (const e of list(v, 'env')) {
    const [k, val] = keyValue('env', e);
    process.env[k] = val;
  }
  if (v['http-debug-full']) process.env.K6_HTTP_DEBUG = 'full';
  else if (v['http-debug']) process.env.K6_HTTP_DEBUG = 'headers';
}

/** k6's `-s 30s:10` stages and `--tag k=v` over the script's options (stages replace its execution config). */
export function applyK6Flags(options: LoadScriptOptions, v: Values, vus?: number): LoadScriptOptions {
  let out = options;
  const stages = list(v, 'stage').map((s) => {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (!m || parseDuration(m[1]) === undefined)
      throw new PerfloopError('USAGE', `--stage ${JSON.stringify(s)}: expected DURATION:TARGET, e.g. 30s:10`);
    return { duration: m[1], target: Number(m[2]) };
  });
  if (stages.length > 0) out = { ...withoutExecution(out), stages, ...(vus !== undefined ? { vus } : {}) };
  const tags = list(v, 'tag').map((t) => keyValue('tag', t));
  if (tags.length > 0)
    out = { ...out, tags: { ...((out.tags as Record<string, string>) ?? {}), ...Object.fromEntries(tags) } };
  return out;
}
