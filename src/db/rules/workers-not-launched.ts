/** db.workers-not-launched: the plan counted on parallel workers that the server could not start. */
import { nodeName } from '../plan/types.js';
import { planFinding, subtreeMs } from './common.js';
import type { PlanRule } from './types.js';

export const workersNotLaunchedRule: PlanRule = {
  id: 'db.workers-not-launched',
  description: 'Gather launched fewer workers than planned',
  check(ctx) {
    return ctx.plan.nodes
      .filter(
        (n) =>
          (n.nodeType === 'Gather' || n.nodeType === 'Gather Merge') &&
          n.workersPlanned !== null &&
          n.workersLaunched !== null &&
          n.workersLaunched < n.workersPlanned,
      )
      .map((n) => {
        const planned = n.workersPlanned!;
        const launched = n.workersLaunched!;
        const time = subtreeMs(n);
        // With the planned processes the same work would take (launched+1)/(planned+1) of the time.
        const saving = time === null ? null : time * (1 - (launched + 1) / (planned + 1));
        return planFinding(ctx, {
          rule: this.id,
          node: n,
          title: `${nodeName(n)} planned ${planned} parallel workers but launched ${launched}`,
          evidence: { workersPlanned: planned, workersLaunched: launched, settings: ctx.plan.settings },
          recommendation:
            'The server ran out of parallel workers: raise max_parallel_workers (and max_worker_processes), or lower concurrency of parallel queries; ' +
            'a plan costed for parallelism runs slower serially.',
          savingMs: saving,
          basis:
            'the Gather subtree’s time × the share the missing workers would have taken, over the statement’s time',
        });
      });
  },
};
