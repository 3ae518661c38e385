/** db.cache-miss: the statement reads most of its pages from outside shared_buffers (disk or OS cache). */
import { nodeName, type PlanNode } from '../plan/types.js';
import { fmtInt, planFinding, round3 } from './common.js';
import type { PlanRule } from './types.js';

/** Shared blocks a node read itself (EXPLAIN's buffer counts include the children's). */
function ownReads(n: PlanNode): number {
  const own = n.buffers?.sharedRead ?? 0;
  const kids = n.children.reduce((s, c) => s + (c.buffers?.sharedRead ?? 0), 0);
  return Math.max(0, own - kids);
}

export const cacheMissRule: PlanRule = {
  id: 'db.cache-miss',
  description: 'shared blocks read ≫ blocks found in shared_buffers',
  check(ctx) {
    const root = ctx.plan.root;
    if (!root.buffers) return [];
    // Buffer counts are cumulative: the root's are the statement's (InitPlans included).
    const read = root.buffers.sharedRead;
    const hit = root.buffers.sharedHit;
    if (read < ctx.options.cacheMissMinBlocks || read < ctx.options.cacheMissRatio * hit) return [];
    const worst = [...ctx.plan.nodes].sort((a, b) => ownReads(b) - ownReads(a))[0];
    const ioMs = Number(root.props['I/O Read Time'] ?? root.props['Shared I/O Read Time'] ?? NaN);
    const hitRatio = read + hit > 0 ? hit / (read + hit) : 1;
    const saving = Number.isFinite(ioMs)
      ? ioMs
      : (worst.inclusiveMs ?? null) === null
        ? null
        : worst.inclusiveMs! * (1 - hitRatio);
    return [
      planFinding(ctx, {
        rule: this.id,
        node: worst,
        title: `${fmtInt(read)} shared blocks (${Math.round((read * 8) / 1024)} MB) read from outside shared_buffers vs ${fmtInt(hit)} hit; most by ${nodeName(worst)}`,
        evidence: {
          sharedRead: read,
          sharedHit: hit,
          hitRatio: round3(hitRatio),
          readByNode: ownReads(worst),
          ioReadMs: Number.isFinite(ioMs) ? ioMs : null,
        },
        recommendation:
          `Read fewer pages: an index for ${worst.relation ?? 'the scanned table'} instead of a full scan, or a narrower table; if the working set is hot data, make shared_buffers (and memory) fit it. ` +
          'Turn on track_io_timing to see the time spent reading.',
        savingMs: saving,
        basis: Number.isFinite(ioMs)
          ? 'time spent reading shared blocks (I/O Timings), over the statement’s time'
          : 'upper bound: time of the node reading most × share of blocks missed, over the statement’s time',
      }),
    ];
  },
};
