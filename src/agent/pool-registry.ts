import type { AgentSample } from './protocol.js';
import { safeGet } from './patch-util.js';

type PoolGauge = AgentSample['pools'][number];

/**
 * The pg.Pool instances the target created, held weakly (the agent must never keep a pool — or its
 * connections — alive), read for their gauges at every sample.
 */
export class PoolRegistry {
  private readonly seen = new WeakSet<object>();
  private pools: { id: string; ref: WeakRef<object> }[] = [];
  private seq = 0;

  /** Called with each newly seen pool (the database handles keep the latest for plan requests). */
  onPool: ((pool: object) => void) | null = null;

  register(pool: unknown): void {
    try {
      if (pool === null || typeof pool !== 'object' || this.seen.has(pool)) return;
      this.seen.add(pool);
      this.pools.push({ id: `pg-pool-${++this.seq}`, ref: new WeakRef(pool) });
      this.onPool?.(pool);
    } catch {
      /* gauges are optional */
    }
  }

  read(): PoolGauge[] {
    const gauges: PoolGauge[] = [];
    const alive: { id: string; ref: WeakRef<object> }[] = [];
    for (const entry of this.pools) {
      const pool = entry.ref.deref();
      // An ended pool will never serve again: forget it.
      if (pool === undefined || safeGet(pool, 'ended') === true) continue;
      alive.push(entry);
      gauges.push({
        id: entry.id,
        total: numberOr0(safeGet(pool, 'totalCount')),
        idle: numberOr0(safeGet(pool, 'idleCount')),
        waiting: numberOr0(safeGet(pool, 'waitingCount')),
      });
    }
    this.pools = alive;
    return gauges;
  }
}

const numberOr0 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
