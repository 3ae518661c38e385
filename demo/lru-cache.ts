/**
 * A least-recently-used cache with a fixed number of entries: the fix of the `unbounded-cache`
 * problem. A Map keeps insertion order, so re-inserting on read moves an entry to the young end and the
 * first key is always the eldest.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const eldest = this.#entries.keys().next();
      if (!eldest.done) this.#entries.delete(eldest.value);
    }
  }
}
