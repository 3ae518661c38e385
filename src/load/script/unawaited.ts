import { scriptLine } from '../k6/iteration-errors.js';

/**
 * Finds `ctx.http.*()` and `ctx.sleep()` promises a ctx script forgot to await: the VU then never waits (one
 * request a second becomes thousands, checks see a Promise). Each such promise notes when something
 * awaits it (`await` calls `then` on a Promise subclass); one never awaited by the end of its iteration is
 * reported with its script line. Stacks are captured only after the first miss, so healthy scripts pay
 * nothing for the line.
 */
export class TrackedPromise<T> extends Promise<T> {
  awaited = false;
  where: string | undefined;
  static override get [Symbol.species]() {
    return Promise;
  }
  override then<A = T, B = never>(
    ok?: ((v: T) => A | PromiseLike<A>) | null,
    bad?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.awaited = true;
    return super.then(ok, bad);
  }
}

/** The promises one VU made in its current iteration. */
export type Pending = { p: TrackedPromise<unknown>; what: string }[];

export class UnawaitedTracker {
  private captureStacks = false;
  private readonly seen = new Map<string, number>();

  track<T>(pending: Pending, what: string, make: () => Promise<T>): Promise<T> {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const p = new TrackedPromise<T>((a, b) => {
      resolve = a;
      reject = b;
    });
    if (this.captureStacks) p.where = scriptLine(new Error());
    make().then(resolve, reject);
    pending.push({ p: p as TrackedPromise<unknown>, what });
    return p;
  }

  /** At the end of an iteration: what was never awaited. */
  settle(pending: Pending): void {
    for (const { p, what } of pending) {
      if (p.awaited) continue;
      if (!p.where) this.captureStacks = true;
      const key = `${what}${p.where ? ` at ${p.where}` : ''}`;
      this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
      p.catch(() => {});
    }
    pending.length = 0;
  }

  warnings(): string[] {
    const located = [...this.seen].filter(([k]) => k.includes(' at '));
    const list = (located.length > 0 ? located : [...this.seen]).slice(0, 3);
    if (list.length === 0) return [];
    return [
      `a promise was not awaited, so the VU did not wait for it: ${list.map(([k, n]) => `${k} ×${n}`).join('; ')} — write await ${list[0][0].split(' ')[0]}`,
    ];
  }
}
