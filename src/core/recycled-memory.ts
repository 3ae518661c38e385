/**
 * Memory handed back by one stage for the next to reuse: the profile builder's child-lookup arrays die when the
 * profile is built, just before the analysers allocate per-node arrays of about the same size. On the machines
 * perfloop is benchmarked on, a fresh page costs more than the loop that fills it (~5 ms per MB: a 12 MB
 * per-node Float64Array is ~60 ms of page faults, ~3 ms to zero once its pages are in), so the analysers take
 * their arrays from here when they can. Held weakly: what the collector takes back is simply allocated anew,
 * and a long-running process keeps nothing alive for this.
 */
const released: WeakRef<ArrayBuffer>[] = [];
const MAX_HELD = 8;

/** Hands `buffer` to the next taker. The caller must not use it (or any view of it) again. */
export function release(buffer: ArrayBufferLike): void {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 1 << 20) return; // small ones are cheap anyway
  if (released.length >= MAX_HELD) released.shift();
  released.push(new WeakRef(buffer));
}

/** A zero-filled Float64Array of `length`, over released memory when some is big enough (and not much bigger). */
export function takeFloat64(length: number): Float64Array<ArrayBuffer> {
  const bytes = length * 8;
  // A small array is cheap to fault in; and a big buffer behind a small array would stay alive with it.
  if (bytes < 1 << 20) return new Float64Array(length);
  for (let i = released.length - 1; i >= 0; i--) {
    const b = released[i].deref();
    if (b === undefined) {
      released.splice(i, 1);
      continue;
    }
    if (b.byteLength < bytes || b.byteLength > 4 * bytes) continue;
    released.splice(i, 1);
    return new Float64Array(b, 0, length).fill(0);
  }
  return new Float64Array(length);
}
