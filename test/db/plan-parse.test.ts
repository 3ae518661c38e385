import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isPerfloopError, PerfloopError } from '../../src/core/errors.js';
import { severityRank } from '../../src/core/finding.js';
import { analysePlan } from '../../src/db/plan-analysis.js';
import { parsePlan, type Plan, type PlanNode } from '../../src/db/plan/index.js';
import { fixture } from '../helpers.js';
import { PLAN_SCENARIOS } from './plan-scenarios.js';

/**
 * Offline: the real plans saved by make-plan-fixtures.ts (PostgreSQL 15 and PostgreSQL 18 / PGlite), each in
 * JSON and text. The text parser must read what the JSON says, and the rules must fire on both.
 */
const read = (name: string) => readFileSync(fixture('db', 'plans', name), 'utf8');

/** What both formats carry (times differ between the two runs; rows and structure do not). */
function shape(n: PlanNode): unknown {
  const p = n.props;
  return {
    type: n.nodeType,
    label: n.label,
    rel: n.parentRelationship,
    sub: n.subplanName?.replace(/ \(returns .*\)$/, '') ?? null,
    relation: n.relation,
    index: n.indexName,
    cte: n.cteName,
    join: n.joinType,
    strategy: n.strategy,
    partial: n.partialMode,
    parallel: n.parallelAware,
    planRows: n.planRows,
    totalCost: n.totalCost,
    rows: n.actual?.rows,
    loops: n.actual?.loops,
    // text leaves out zero counts that JSON prints
    removed: p['Rows Removed by Filter'] || null,
    recheck: p['Rows Removed by Index Recheck'] || null,
    filter: p.Filter ?? null,
    sortMethod: p['Sort Method'] ?? null,
    sortSpace: p['Sort Space Type'] ?? null,
    batches: p['Hash Batches'] ?? p['HashAgg Batches'] ?? null,
    heapFetches: p['Heap Fetches'] ?? null,
    lossy: p['Lossy Heap Blocks'] || null,
    workers: [n.workersPlanned, n.workersLaunched],
    buffersHit: n.buffers?.sharedHit ?? null,
    children: n.children.map(shape),
  };
}

const versions = ['pg15', 'pg18'] as const;

describe('EXPLAIN parsing: text and JSON agree (real plans, PostgreSQL 15 and 18)', () => {
  for (const s of PLAN_SCENARIOS) {
    for (const v of versions) {
      if (!existsSync(fixture('db', 'plans', `${s.name}.${v}.json`))) continue;
      it(`${s.name} ${v}`, () => {
        const json = parsePlan(read(`${s.name}.${v}.json`));
        const text = parsePlan(read(`${s.name}.${v}.txt`));
        assert.equal(json.format, 'json');
        assert.equal(text.format, 'text');
        // Buffer hits can differ between two runs (catalog lookups); the structure and row counts cannot.
        const noBuffers = (x: unknown): unknown =>
          JSON.parse(JSON.stringify(x, (k, val) => (k === 'buffersHit' ? undefined : val)));
        assert.deepEqual(noBuffers(shape(text.root)), noBuffers(shape(json.root)));
        assert.equal(text.analyzed, true);
        assert.equal(typeof text.planningMs, 'number');
        assert.equal(typeof text.executionMs, 'number');
        assert.deepEqual(Object.keys(text.settings).sort(), Object.keys(json.settings).sort());
        assert.equal(text.jit === null, json.jit === null);
      });
    }
  }
});

describe('plan rules on saved plans (both formats, both versions)', () => {
  for (const s of PLAN_SCENARIOS) {
    for (const v of versions) {
      for (const ext of ['json', 'txt']) {
        const file = `${s.name}.${v}.${ext}`;
        if (!existsSync(fixture('db', 'plans', file))) continue;
        it(file, () => {
          // the saved plan is the EXPLAIN of this statement (perfloop keeps the SQL with every plan it runs)
          const plan = parsePlan(read(file));
          plan.queryText ??= s.query;
          const findings = analysePlan(plan, s.ruleOptions);
          if (s.rule)
            assert.ok(
              findings.some((f) => f.rule === s.rule),
              `${s.rule} in ${findings.map((f) => f.rule)}`,
            );
          if (s.name === 'healthy')
            assert.deepEqual(
              findings.filter((f) => severityRank(f.severity) > severityRank('low')),
              [],
            );
        });
      }
    }
  }
});

describe('exclusive time', () => {
  const sumExclusive = (p: Plan) => p.nodes.reduce((a, n) => a + (n.exclusiveMs ?? 0), 0);

  it('loops: the inner side of a nested loop counts every loop', () => {
    const p = parsePlan(read('nested-loop-many.pg15.json'));
    const inner = p.nodes.find((n) => n.parentRelationship === 'Inner')!;
    assert.ok(inner.actual!.loops >= 1000);
    assert.equal(inner.inclusiveMs, Math.round(inner.actual!.totalMs! * inner.actual!.loops * 1000) / 1000);
    assert.ok(Math.abs(sumExclusive(p) - p.root.inclusiveMs!) < 0.01);
  });

  it('parallel workers: per-process averages are wall time under a Gather', () => {
    const p = parsePlan(read('parallel.pg15.txt'));
    const gather = p.nodes.find((n) => n.nodeType === 'Gather')!;
    const scan = p.nodes.find((n) => n.nodeType === 'Seq Scan')!;
    assert.equal(scan.label, 'Parallel Seq Scan on big');
    assert.equal(scan.processes, gather.workersLaunched! + 1);
    assert.equal(scan.actual!.loops, scan.processes);
    assert.equal(scan.inclusiveMs, scan.actual!.totalMs);
    assert.ok(Math.abs(sumExclusive(p) - p.root.inclusiveMs!) < 0.01);
  });

  it('workers not launched: the leader alone ran the parallel plan', () => {
    const p = parsePlan(read('workers-not-launched.pg15.json'));
    const scan = p.nodes.find((n) => n.nodeType === 'Seq Scan')!;
    assert.equal(scan.processes, 1);
    assert.equal(scan.inclusiveMs, scan.actual!.totalMs);
  });

  for (const v of versions) {
    it(`CTE scans carry the CTE's time, the InitPlan is taken out once (${v})`, () => {
      const p = parsePlan(read(`cte-initplan.${v}.txt`));
      const cte = p.nodes.find((n) => n.subplanName?.startsWith('CTE c'))!;
      const scans = p.nodes.filter((n) => n.nodeType === 'CTE Scan');
      assert.equal(scans.length, 2);
      const taken = scans.reduce((a, n) => a + n.inclusiveMs! - n.exclusiveMs!, 0);
      assert.ok(Math.abs(taken - cte.inclusiveMs!) < 0.01, `${taken} vs ${cte.inclusiveMs}`);
      assert.ok(
        Math.abs(sumExclusive(p) - p.root.inclusiveMs!) < 0.01,
        `${sumExclusive(p)} vs ${p.root.inclusiveMs}`,
      );
    });
  }

  it('an InitPlan read by a descendant is taken out of that descendant', () => {
    const plan = parsePlan(`Limit  (cost=1.00..2.00 rows=1 width=4) (actual time=0.000..10.000 rows=1 loops=1)
  InitPlan 1 (returns $0)
    ->  Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.000..4.000 rows=1 loops=1)
  ->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.000..9.000 rows=1 loops=1)
        Filter: (a = $0)
Planning Time: 0.100 ms
Execution Time: 10.100 ms`);
    const [limit, init, scan] = plan.nodes;
    assert.equal(init.subplanName, 'InitPlan 1 (returns $0)');
    assert.equal(scan.exclusiveMs, 5);
    assert.equal(limit.exclusiveMs, 1);
    assert.equal(init.exclusiveMs, 4);
  });
});

describe('plan input formats and bad input', () => {
  it("psql's framed output (text and JSON) reads like the plain output", () => {
    for (const f of ['seq-scan-filter.pg15.psql-text.txt', 'seq-scan-filter.pg15.psql-json.txt']) {
      const p = parsePlan(read(f));
      assert.equal(p.root.label, 'Seq Scan on ss');
      assert.equal(p.root.props['Rows Removed by Filter'], 199960);
      assert.ok(analysePlan(p).some((x) => x.rule === 'db.seq-scan-filter'));
    }
  });

  it('text details of PostgreSQL 12–18: I/O timings, WAL, memoize, incremental sort, workers, triggers', () => {
    const p =
      parsePlan(`Update on t  (cost=0.00..35.50 rows=0 width=0) (actual time=2.000..2.000 rows=0 loops=1)
  Buffers: shared hit=10 read=2 dirtied=3 written=1, temp read=4 written=5
  I/O Timings: shared read=0.120 write=0.010
  WAL: records=20 fpi=1 bytes=1500
  ->  Nested Loop  (cost=0.30..20.00 rows=10 width=10) (actual time=0.100..1.500 rows=10.00 loops=1)
        ->  Incremental Sort  (cost=0.20..10.00 rows=10 width=8) (actual time=0.050..0.400 rows=10.00 loops=1)
              Sort Key: a, b
              Presorted Key: a
              Full-sort Groups: 1  Sort Method: quicksort  Average Memory: 25kB  Peak Memory: 25kB
              ->  Index Scan Backward using t_a_idx on public.t x  (cost=0.15..8.00 rows=10 width=8) (actual time=0.010..0.100 rows=10.00 loops=1)
                    Index Searches: 1
        ->  Memoize  (cost=0.10..0.20 rows=1 width=4) (actual time=0.050..0.060 rows=1.00 loops=10)
              Cache Key: x.a
              Cache Mode: logical
              Hits: 7  Misses: 3  Evictions: 0  Overflows: 0  Memory Usage: 1kB
              ->  Index Only Scan using u_pkey on "Odd Table" u  (never executed)
                    Heap Fetches: 0
Planning:
  Buffers: shared hit=8 read=1
Planning Time: 0.300 ms
Trigger for constraint t_fk: time=0.500 calls=10
Trigger audit on t: time=0.700 calls=10
Execution Time: 3.100 ms`);
    const [upd, loop, isort, iscan, memo, ios] = p.nodes;
    assert.equal(upd.nodeType, 'ModifyTable');
    assert.equal(upd.operation, 'Update');
    assert.deepEqual(upd.buffers, {
      sharedHit: 10,
      sharedRead: 2,
      sharedDirtied: 3,
      sharedWritten: 1,
      localHit: 0,
      localRead: 0,
      tempRead: 4,
      tempWritten: 5,
    });
    assert.equal(upd.props['Shared I/O Read Time'], 0.12);
    assert.equal(upd.props['WAL Records'], 20);
    assert.equal(loop.nodeType, 'Nested Loop');
    assert.equal(isort.nodeType, 'Incremental Sort');
    assert.deepEqual(isort.props['Sort Key'], ['a', 'b']);
    assert.equal(iscan.indexName, 't_a_idx');
    assert.equal(iscan.schema, 'public');
    assert.equal(iscan.alias, 'x');
    assert.equal(iscan.props['Scan Direction'], 'Backward');
    assert.equal(iscan.props['Index Searches'], 1);
    assert.equal(memo.props['Cache Hits'], 7);
    assert.equal(memo.inclusiveMs, 0.6);
    assert.equal(ios.relation, 'Odd Table');
    assert.equal(ios.actual!.loops, 0);
    assert.equal(ios.inclusiveMs, 0);
    assert.deepEqual(p.planningBuffers?.sharedRead, 1);
    assert.deepEqual(
      p.triggers.map((t) => [t.name, t.relation, t.calls]),
      [
        ['RI_ConstraintTrigger for t_fk', null, 10],
        ['audit', 't', 10],
      ],
    );
  });

  it('PostgreSQL 12 style: I/O Timings without scope, no Planning section, JIT in text', () => {
    const p =
      parsePlan(`Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..50.000 rows=1 loops=1)
  Buffers: shared read=5000
  I/O Timings: read=30.500
Planning Time: 0.100 ms
JIT:
  Functions: 2
  Options: Inlining false, Optimization false, Expressions true, Deforming true
  Timing: Generation 0.300 ms (Deform 0.100 ms), Inlining 0.000 ms, Optimization 0.200 ms, Emission 2.500 ms, Total 3.000 ms
Execution Time: 50.100 ms`);
    assert.equal(p.root.props['I/O Read Time'], 30.5);
    assert.equal(p.jit?.totalMs, 3);
    assert.equal(p.jit?.functions, 2);
    const miss = analysePlan(p).find((f) => f.rule === 'db.cache-miss');
    assert.ok(miss);
    assert.equal(miss.evidence.ioReadMs, 30.5);
  });

  it('EXPLAIN without ANALYZE: costs only, no times, no timing rules', () => {
    const p = parsePlan('Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)\n  Filter: (a = 1)');
    assert.equal(p.analyzed, false);
    assert.equal(p.root.exclusiveMs, null);
    assert.deepEqual(analysePlan(p), []);
  });

  const bad: [string, string, RegExp][] = [
    ['truncated JSON', read('seq-scan-filter.pg15.json').slice(0, 200), /truncated/],
    ['JSON without a plan', '{"rows": []}', /no "Plan"/],
    ['random text', 'hello world\nthis is not a plan', /not an EXPLAIN plan/],
    ['empty', '   \n', /empty/],
  ];
  for (const [name, input, message] of bad) {
    it(`bad input is one clear error with exit code 2: ${name}`, () => {
      assert.throws(
        () => parsePlan(input),
        (e: unknown) =>
          isPerfloopError(e) &&
          (e as PerfloopError).exitCode === 2 &&
          message.test((e as PerfloopError).message),
      );
    });
  }
});
