/**
 * k6/data's SharedArray: built once per thread by its name (k6 builds it once per test), frozen so VUs cannot
 * change what they share.
 */
const arrays = new Map<string, readonly unknown[]>();

export class SharedArray {
  constructor(name: string, build: () => unknown[]) {
    if (typeof name !== 'string' || name === '') throw new Error('SharedArray needs a name');
    let a = arrays.get(name);
    if (!a) {
      const v = build();
      if (!Array.isArray(v)) throw new Error(`SharedArray ${JSON.stringify(name)}: the function must return an array`);
      a = Object.freeze(v.map((x) => deepFreeze(structuredClone(x))));
      arrays.set(name, a);
    }
    return a as unknown as SharedArray;
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

export default { SharedArray };
