/** The `k6` module (https://grafana.com/docs/k6/latest/javascript-api/k6/): check, group, sleep, fail, randomSeed. */
import { config, cur, enter } from '../runtime.js';

/** Runs each named predicate on `value`, records the `checks` rate (tagged with the check and its group). */
export function check<T>(
  value: T,
  sets: Record<string, ((v: T) => unknown) | unknown>,
  tags?: Record<string, string>,
): boolean {
  const vu = cur;
  const rec = config?.recorder();
  let all = true;
  for (const name in sets) {
    const predicate = sets[name];
    const ok = !!(typeof predicate === 'function' ? (predicate as (v: T) => unknown)(value) : predicate);
    if (!ok) all = false;
    if (rec && vu && !vu.closed) {
      // One tags object per check site and group (when the call adds no tags), so the recorder keys it once.
      const key = tags ? '' : `check\0${vu.group}\0${name}`;
      let t = key ? vu.tagCache.get(key) : undefined;
      if (!t) {
        t = { ...vu.scenarioTags, ...vu.tags, scenario: vu.scenario, group: vu.group, ...(tags ?? {}), check: name };
        if (key && vu.tagCache.size < 256) vu.tagCache.set(key, t);
      }
      rec.add('checks', ok ? 1 : 0, t);
    }
  }
  return all;
}

/** Runs `fn` as a named group: requests and checks inside carry its path (`::outer::name`); returns fn's value. */
export async function group<R>(name: string, fn: () => R | Promise<R>): Promise<R> {
  const vu = cur;
  if (!vu) throw new Error('group() can only be called in VU code');
  if (name.includes('::')) throw new Error(`group and check names may not contain '::' (${JSON.stringify(name)})`);
  const outer = vu.group;
  vu.group = `${outer}::${name}`;
  const t = performance.now();
  try {
    return await fn();
  } finally {
    enter(vu);
    const rec = config?.recorder();
    if (rec && !vu.closed)
      rec.add('group_duration', performance.now() - t, {
        ...vu.scenarioTags,
        ...vu.tags,
        scenario: vu.scenario,
        group: vu.group,
      });
    vu.group = outer;
  }
}

/** Pauses this VU only (seconds); ends at once when the VU is stopped. */
export function sleep(seconds: number): Promise<void> {
  const vu = cur;
  return new Promise<void>((resolve) => {
    if (!(seconds > 0) || vu?.closed) return resolve();
    const wake = () => {
      clearTimeout(timer);
      vu?.wake.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, seconds * 1000);
    vu?.wake.add(wake);
  });
}

/** Ends the iteration with an error (counted, logged), as k6's fail(). */
export function fail(message = ''): never {
  throw new Error(message);
}

/** Makes Math.random repeatable in this thread (k6 seeds per VU; one seed per thread is what perfloop gives). */
export function randomSeed(seed: number): void {
  let s = (Math.floor(seed) >>> 0) || 1;
  Math.random = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export default { check, group, sleep, fail, randomSeed };
