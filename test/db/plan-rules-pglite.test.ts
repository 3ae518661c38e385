import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { severityRank } from '../../src/core/finding.js';
import { explainStatement } from '../../src/db/explain/run-explain.js';
import { analysePlan } from '../../src/db/plan-analysis.js';
import { pgliteRunner, type SqlRunner } from '../../src/db/runner.js';
import { createScenarioTables, PLAN_SCENARIOS, scenarioSql } from './plan-scenarios.js';

/** The same plan rules on PGlite (PostgreSQL 18 in WebAssembly, the demo's database): its plans differ in format. */
describe('plan rules on PGlite (PostgreSQL 18)', () => {
  let db: PGlite;
  let runner: SqlRunner;
  const schema = 'perfloop_rules';

  before(async () => {
    db = await PGlite.create();
    runner = pgliteRunner(db);
    await createScenarioTables(runner, schema, { big: false });
  });
  after(async () => {
    await db?.close();
  });

  for (const s of PLAN_SCENARIOS.filter((x) => x.pglite && x.rule)) {
    it(`${s.rule} fires (${s.name})`, async () => {
      const { plan } = await explainStatement(runner, scenarioSql(s, schema), { settings: s.settings });
      const f = analysePlan(plan, s.ruleOptions).find((x) => x.rule === s.rule);
      assert.ok(f, `${s.rule} should fire`);
      assert.ok(severityRank(f.severity) >= severityRank('low'));
      assert.ok((f.evidence.node as { type: string }).type);
    });
  }

  it('a healthy plan gives nothing above low', async () => {
    const s = PLAN_SCENARIOS.find((x) => x.name === 'healthy')!;
    const { plan } = await explainStatement(runner, scenarioSql(s, schema), { settings: s.settings });
    assert.deepEqual(
      analysePlan(plan).filter((f) => severityRank(f.severity) > severityRank('low')),
      [],
    );
  });

  it('CTE and InitPlan exclusive times add up on PostgreSQL 18 plans too', async () => {
    const s = PLAN_SCENARIOS.find((x) => x.name === 'cte-initplan')!;
    const { plan } = await explainStatement(runner, scenarioSql(s, schema), { settings: s.settings });
    assert.ok(
      plan.nodes.some((n) => n.subplanName === 'InitPlan 2' || n.subplanName?.startsWith('InitPlan')),
    );
    const sum = plan.nodes.reduce((a, n) => a + n.exclusiveMs!, 0);
    assert.ok(Math.abs(sum - plan.root.inclusiveMs!) < 0.02 * plan.root.inclusiveMs! + 0.01);
  });
});
