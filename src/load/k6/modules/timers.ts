/** k6/timers: the event loop's timers, with the calling VU current again when the callback runs. */
import { cur, enter } from '../runtime.js';

const bind = (cb: (...a: unknown[]) => unknown) => {
  const vu = cur;
  return (...a: unknown[]) => {
    enter(vu);
    return cb(...a);
  };
};

const timeout = (cb: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]) =>
  globalThis.setTimeout(bind(cb), ms, ...args);
const interval = (cb: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]) =>
  globalThis.setInterval(bind(cb), ms, ...args);
export {
  timeout as setTimeout,
  interval as setInterval,
};
export const clearTimeout = (t: NodeJS.Timeout) => globalThis.clearTimeout(t);
export const clearInterval = (t: NodeJS.Timeout) => globalThis.clearInterval(t);
export default { setTimeout: timeout, setInterval: interval, clearTimeout, clearInterval };
