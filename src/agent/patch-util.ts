/**
 * Replaces `proto[name]` with a wrapper built from the original, once per prototype (a marker
 * symbol makes a second patch — e.g. the same module reached through its CJS and ESM entries — a
 * no-op). The wrapper is an own property, so subclasses and instances keep inheriting it.
 */
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

const PATCHED = Symbol.for('perfloop.agent.patched');

export function wrapMethod(
  proto: object | null | undefined,
  name: string,
  wrap: (original: AnyFunction) => AnyFunction,
): boolean {
  if (proto === null || proto === undefined) return false;
  const target = proto as Record<string | symbol, unknown>;
  const original = target[name];
  if (typeof original !== 'function') return false;
  const marks = (Object.prototype.hasOwnProperty.call(target, PATCHED) ? target[PATCHED] : undefined) as
    Set<string> | undefined;
  if (marks?.has(name)) return true;
  const wrapped = wrap(original as AnyFunction);
  Object.defineProperty(wrapped, 'name', { value: (original as AnyFunction).name });
  Object.defineProperty(wrapped, 'length', { value: (original as AnyFunction).length });
  Object.defineProperty(target, name, {
    value: wrapped,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (marks) marks.add(name);
  else Object.defineProperty(target, PATCHED, { value: new Set([name]) });
  return true;
}

/** Property access that never throws (getters on foreign objects can). */
export function safeGet(object: unknown, key: string): unknown {
  try {
    return object !== null && (typeof object === 'object' || typeof object === 'function')
      ? (object as Record<string, unknown>)[key]
      : undefined;
  } catch {
    return undefined;
  }
}
