import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { severityRank } from '../../src/core/finding.js';
import { explainStatement } from '../../src/db/explain/run-explain.js';
import { analysePlan } from '../../src/db/plan-analysis.js';
import { subtree } from '../../src/db/plan/types.js';
import { connectPostgres, type ClosableRunner } from '../../src/db/runner.js';
import { testPgUrl } from '../helpers.js';
import { createScenarioTables, PLAN_SCENARIOS, scenarioSql, uniqueSchema } from './plan-scenarios.js';

/** Every plan rule on a real PostgreSQL 15 plan made to show it; a healthy plan stays quiet. */
describe('plan rules on PostgreSQL', { skip: testPgUrl() ? false : 'PERFLOOP_TEST_PG is not set' }, () => {
  let runner: ClosableRunner;
  const schema = uniqueSchema('perfloop_rules');
  let jit = false;

  before(async () => {
    runner = await connectPostgres(testPgUrl()!);
    await createScenarioTables(runner, schema, { big: true });
    jit = (await runner.query<{ ok: boolean }>('SELECT pg_jit_available() AS ok')).rows[0].ok;
  });
  after(async () => {
    await runner?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await runner?.close();
  });

  for (const s of PLAN_SCENARIOS.filter((x) => x.rule)) {
    it(`${s.rule} fires on a plan made to show it (${s.name})`, async (t) => {
      if (s.rule === 'db.jit-dominant' && !jit) return t.skip('this server has no JIT');
      const { plan, analyzed } = await explainStatement(runner, scenarioSql(s, schema), {
        settings: s.settings,
      });
      assert.ok(analyzed);
      const findings = analysePlan(plan, s.ruleOptions);
      const f = findings.find((x) => x.rule === s.rule);
      assert.ok(f, `${s.rule} should fire; got ${findings.map((x) => x.rule).join(', ')}`);
      assert.equal(f.area, 'db');
      assert.ok(severityRank(f.severity) >= severityRank('low'), `${s.rule} severity ${f.severity}`);
      assert.ok(f.estimatedImpact.pct > 0, 'an estimated saving');
      assert.equal(typeof f.evidence.estimatedSavingMs, 'number');
      if (!['db.jit-dominant', 'db.planning-dominant'].includes(s.rule!)) {
        const node = f.evidence.node as { id: number; path: string; type: string };
        assert.match(node.path, /^0(\.\d+)*$/);
        assert.equal(plan.nodes[node.id - 1].nodeType, node.type);
      }
    });
  }

  it('a healthy plan (primary-key lookup) gives nothing above low', async () => {
    const s = PLAN_SCENARIOS.find((x) => x.name === 'healthy')!;
    const { plan } = await explainStatement(runner, scenarioSql(s, schema), { settings: s.settings });
    const loud = analysePlan(plan).filter((f) => severityRank(f.severity) > severityRank('low'));
    assert.deepEqual(loud, []);
  });

  it('exclusive times: parallel workers are wall time, not summed over processes', async () => {
    const s = PLAN_SCENARIOS.find((x) => x.name === 'parallel')!;
    const { plan } = await explainStatement(runner, scenarioSql(s, schema), { settings: s.settings });
    const gather = plan.nodes.find((n) => n.nodeType === 'Gather')!;
    assert.ok(gather.workersLaunched! >= 1, 'workers launched');
    const scan = plan.nodes.find((n) => n.nodeType === 'Seq Scan')!;
    assert.equal(scan.parallelAware, true);
    assert.equal(scan.processes, gather.workersLaunched! + 1);
    assert.ok(
      Math.abs(scan.inclusiveMs! - (scan.actual!.totalMs! * scan.actual!.loops) / scan.processes) < 0.01,
    );
    assert.ok(
      scan.inclusiveMs! <= gather.inclusiveMs! + 0.01,
      'a worker node cannot take longer than its Gather',
    );
    const sum = plan.nodes.reduce((a, n) => a + n.exclusiveMs!, 0);
    assert.ok(
      Math.abs(sum - plan.root.inclusiveMs!) < 0.02 * plan.root.inclusiveMs!,
      `exclusive times add up: ${sum} vs ${plan.root.inclusiveMs}`,
    );
  });

  it('exclusive times: CTE and InitPlan time is counted once, in the nodes that ran it', async () => {
    const s = PLAN_SCENARIOS.find((x) => x.name === 'cte-initplan')!;
    const { plan } = await explainStatement(runner, scenarioSql(s, schema), { settings: s.settings });
    const cte = plan.nodes.find((n) => n.subplanName?.startsWith('CTE'))!;
    const init = plan.nodes.find((n) => n.subplanName?.startsWith('InitPlan'))!;
    assert.ok(cte && init, 'plan has a CTE and an InitPlan');
    const scans = plan.nodes.filter((n) => n.nodeType === 'CTE Scan');
    assert.equal(scans.length, 2);
    // the CTE's time was taken out of the scans that read it
    const scansIncl = scans.reduce((a, n) => a + n.inclusiveMs!, 0);
    const scansExcl = scans.reduce((a, n) => a + n.exclusiveMs!, 0);
    assert.ok(Math.abs(scansIncl - scansExcl - cte.inclusiveMs!) < 0.05 + 0.01 * cte.inclusiveMs!);
    const sum = plan.nodes.reduce((a, n) => a + n.exclusiveMs!, 0);
    assert.ok(
      Math.abs(sum - plan.root.inclusiveMs!) < 0.02 * plan.root.inclusiveMs! + 0.01,
      `exclusive times add up: ${sum} vs ${plan.root.inclusiveMs}`,
    );
    for (const n of plan.nodes) assert.ok(n.exclusiveMs! >= 0);
    assert.ok(subtree(plan.root).length === plan.nodes.length);
  });
});
