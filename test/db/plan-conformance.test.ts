import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { corpusDir, EXPECTED_REFUSALS, runPlanConformance } from '../../bench/conformance-plans.js';

/**
 * The public EXPLAIN corpus (PostgreSQL 18.3 regression and contrib plans, PEV2's test plans): every plan
 * parses with the node count, root, root time and planning/execution times its own text shows; the outputs
 * that are not plans are refused; no rule fires on a regression plan.
 */
describe('plan conformance over the public corpus', () => {
  const dir = corpusDir();
  it('every corpus plan agrees with its own text', (t) => {
    if (!existsSync(dir)) return t.skip(`no corpus at ${dir} (set PERFLOOP_CORPORA)`);
    const res = runPlanConformance(dir);
    assert.ok(res.files > 2000, `only ${res.files} files under ${dir}`);
    assert.deepEqual(
      res.disagreements.map((d) => `${d.file}: ${d.reason}`),
      [],
    );
    const refused = Object.values(res.byFolder).reduce((s, f) => s + f.refused, 0);
    assert.equal(refused, Object.keys(EXPECTED_REFUSALS).length);
  });
});
