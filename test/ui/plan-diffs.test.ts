import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RunRecord } from '../../src/core/run.js';
import { planChanges, statementPlans } from '../../src/report/html/plan-diffs.js';
import { fixture } from '../helpers.js';

const SQL = 'SELECT count(*) FROM big WHERE k = $1';

/** A run whose database section explains SQL with the plan in `planFile`, laid out as db/report-section writes it. */
function runWithPlan(planFile: string): RunRecord {
  const plan = readFileSync(fixture('db', 'plans', planFile), 'utf8').trim();
  const markdown = `### Database Performance Analysis\n\n#### Slow Query 1: SELECT big (3 calls, 9ms total, 3ms mean)\n\n**Query**:\n\n\`\`\`sql\n${SQL}\n\`\`\`\n\n**Execution Plan** (EXPLAIN (ANALYZE, BUFFERS), run in a rolled-back transaction):\n\n\`\`\`\n${plan.replace(/^(\S.*)$/m, '$1  [#1 self 0.1 ms, 10%]')}\n\`\`\`\n`;
  return { database: { markdown } } as unknown as RunRecord;
}

test('compare shows the plan diff of a statement whose plan changed, and none when it did not', () => {
  const seq = runWithPlan('cache-miss.pg15.txt');
  const idx = runWithPlan('healthy.pg15.txt');
  assert.deepEqual([...statementPlans(seq).keys()], [SQL]);
  assert.doesNotMatch(statementPlans(seq).get(SQL)!, /\[#1 self/, 'perfloop’s annotations are stripped');
  const changes = planChanges(seq, idx);
  assert.equal(changes.length, 1);
  assert.match(changes[0].text, /Seq Scan on big/);
  assert.ok(changes[0].diff.nodes.some((n) => n.kind !== 'same'));
  assert.deepEqual(planChanges(seq, runWithPlan('cache-miss.pg15.txt')), []);
});
