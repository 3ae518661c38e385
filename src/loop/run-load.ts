import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PerfloopError } from '../core/errors.js';
import type { LoadOptions } from '../load/engine.js';
import type { LoadDefinition } from '../load/load-definition.js';
import { collectScenarios, maxVUsOf, plannedMsOf, withoutExecution, type ScenarioPlan } from '../load/options.js';
import type { ReadyCheck } from '../target/index.js';
import type { RunServiceOptions } from './run-service.js';

/**
 * The load of one run as the engine takes it. `o.load` is any definition `perfloop load` accepts (a k6 or
 * perfloop script, stages, a rate, a preset, scenarios); without one, the classic form: `vus` constant VUs over
 * `requests` for `durationS`.
 */
export function measuredLoad(o: RunServiceOptions): LoadDefinition {
  return o.load ?? { requests: o.requests, options: { vus: o.vus, duration: o.durationS * 1000 } };
}

/** The engine's options for the measured window: the whole definition, its thresholds and its preset's judge. */
export function measuredLoadOptions(o: RunServiceOptions): LoadOptions {
  if (!o.load)
    return { requests: o.requests, executor: { executor: 'constant-vus', vus: o.vus, duration: o.durationS * 1000 } };
  return { requests: o.load.requests, script: o.load.script, options: o.load.options, preset: o.load.preset?.report };
}

/**
 * The same traffic held steady for `seconds`, unmeasured: the warm-up before the window and the memory phase
 * after it. A ramp or a spike is not replayed there: warm-up at the load the window starts with (the first
 * stage's level), and an arrival rate stays an arrival rate (constant VUs would hammer an open-model service).
 * The first scenario's `exec` function runs, so a script without a default export still warms up.
 */
export function steadyLoadOptions(o: RunServiceOptions, seconds: number): LoadOptions {
  if (!o.load)
    return { requests: o.requests, executor: { executor: 'constant-vus', vus: o.vus, duration: seconds * 1000 } };
  const plan = plansOf(o.load)[0];
  const duration = seconds * 1000;
  const c = plan?.config ?? {};
  const exec = plan?.exec ? { exec: plan.exec } : {};
  const firstLevel = (stages: unknown, start: unknown) =>
    Number(start) > 0 ? Number(start) : Math.max(1, ...firstNonZero(stages));
  const steady =
    plan?.executor === 'constant-arrival-rate' || plan?.executor === 'ramping-arrival-rate'
      ? {
          executor: 'constant-arrival-rate',
          rate: plan.executor === 'constant-arrival-rate' ? c.rate : firstLevel(c.stages, c.startRate),
          timeUnit: c.timeUnit ?? '1s',
          duration,
          preAllocatedVUs: c.preAllocatedVUs ?? 1,
          maxVUs: c.maxVUs ?? c.preAllocatedVUs ?? 1,
          ...exec,
        }
      : {
          executor: 'constant-vus',
          vus: plan?.executor === 'ramping-vus' ? firstLevel(c.stages, c.startVUs) : Math.max(1, Number(c.vus ?? 1)),
          duration,
          ...exec,
        };
  return {
    requests: o.load.requests,
    script: o.load.script,
    options: { ...withoutExecution(o.load.options), scenarios: { steady } },
    thresholds: {},
  };
}

function firstNonZero(stages: unknown): number[] {
  const t = (Array.isArray(stages) ? stages : []).map((s) => Number((s as { target?: unknown }).target)).find((x) => x > 0);
  return t === undefined ? [] : [t];
}

function plansOf(def: LoadDefinition): ScenarioPlan[] {
  return collectScenarios(def.options).plans;
}

/** The load's shape for the report: VUs as the method writes them (`10→100→10`), planned seconds, one line. */
export function loadShape(def: LoadDefinition): { vus: string; maxVUs: number; plannedS: number; description: string } {
  const plans = plansOf(def);
  const plannedS = Math.round(plannedMsOf(plans) / 100) / 10;
  const vus = plans.map(vusLabel).join(' + ') || '1';
  const what = def.script ? `script ${basename(def.script)}` : `${def.requests?.length ?? 0} request type(s)`;
  const how = plans.map((p) => `${p.executor} ${vusLabel(p)}`).join(', ');
  const preset = def.preset ? ` (preset ${def.preset.name})` : '';
  return { vus, maxVUs: maxVUsOf(plans), plannedS, description: `${how} over ${plannedS} s${preset}; ${what}` };
}

function vusLabel(p: ScenarioPlan): string {
  const c = p.config;
  const levels = (stages: unknown, start: unknown) => {
    const xs = [Number(start ?? 0), ...(Array.isArray(stages) ? stages : []).map((s) => Number((s as { target?: unknown }).target))];
    const collapsed = xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
    // A ramp from 0 is how the load starts, not a level the method's table names (10→100→10).
    return (collapsed[0] === 0 && collapsed.length > 1 ? collapsed.slice(1) : collapsed).join('→');
  };
  switch (p.executor) {
    case 'ramping-vus':
      return levels(c.stages, c.startVUs);
    case 'constant-arrival-rate':
      return `${c.rate}/${c.timeUnit ?? '1s'} (≤ ${c.maxVUs ?? c.preAllocatedVUs} VUs)`;
    case 'ramping-arrival-rate':
      return `${levels(c.stages, c.startRate)}/${c.timeUnit ?? '1s'} (≤ ${c.maxVUs ?? c.preAllocatedVUs} VUs)`;
    default:
      return String(c.vus ?? 1);
  }
}

/**
 * When the service is ready: `--ready`, else the first request's origin; for a script, the first http(s) URL
 * written in it. Decided before the target starts, so a script without any is one clear error, not a hang.
 */
export function readyCheckOf(o: RunServiceOptions): ReadyCheck {
  if (o.ready && /^\d+$/.test(o.ready)) return { port: Number(o.ready) };
  if (o.ready) return { url: o.ready };
  const url = o.requests[0]?.url ?? o.load?.requests?.[0]?.url ?? (o.load?.script ? firstUrlIn(o.load.script) : undefined);
  if (!url)
    throw new PerfloopError('USAGE', `${o.load?.script ?? 'perfloop run'}: no URL to wait for before loading the target`, {
      hint: 'give --ready URL|PORT',
    });
  const u = new URL(url.replace(/\{\{[^}]*\}\}/g, '0'));
  return { port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), host: u.hostname };
}

function firstUrlIn(script: string): string | undefined {
  // Only a complete origin: `http://127.0.0.1:${__ENV.PORT}` names no port perfloop could wait for.
  const m = /https?:\/\/[\w.-]+(?::\d+)?(?![\w.:$-])/.exec(readFileSync(script, 'utf8'));
  return m?.[0];
}

/** Seconds a definition plans to run (for the memory phase's default length). */
export function plannedSeconds(o: RunServiceOptions): number {
  if (!o.load) return o.durationS;
  return loadShape(o.load).plannedS;
}
