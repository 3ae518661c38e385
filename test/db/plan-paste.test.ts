import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isPerfloopError } from '../../src/core/errors.js';
import { parsePlan, parsePlans, type Plan, type PlanNode } from '../../src/db/plan/index.js';
import { deepPlan } from '../../bench/plan-parse-depth.js';
import { cliPath, fixture, tempDir } from '../helpers.js';

/**
 * Plans as people paste them: the real PostgreSQL 15 plans of test/fixtures/db/plans (captured by
 * make-plan-fixtures.ts), put in the frames, quoting and shapes that psql, DBeaver, pgAdmin, terminals and
 * editors give them. Each variant must read as the same tree with the same numbers as the plain text.
 */
const PLANS = ['cte-initplan', 'parallel', 'nested-loop-many', 'seq-scan-filter', 'jit-dominant'];
const plain = (name: string) => readFileSync(fixture('db', 'plans', `${name}.pg15.txt`), 'utf8').trimEnd();

function shape(p: Plan): unknown {
  const node = (n: PlanNode): unknown => ({
    label: n.label,
    rel: n.parentRelationship,
    sub: n.subplanName,
    rows: n.actual?.rows,
    loops: n.actual?.loops,
    ms: n.actual?.totalMs,
    cost: n.totalCost,
    filter: n.props.Filter ?? null,
    workers: n.workers.length,
    children: n.children.map(node),
  });
  return {
    root: node(p.root),
    planning: p.planningMs,
    execution: p.executionMs,
    jit: p.jit,
    triggers: p.triggers,
  };
}

const lines = (t: string) => t.split('\n');
const width = (t: string) => Math.max(...lines(t).map((l) => l.length));

/** psql's aligned output: header, rule, one-space margin (border 0/1), or a box (border 2). */
function psql(t: string, style: 'ascii' | 'unicode', border: 0 | 1 | 2): string {
  const w = width(t);
  const rows = lines(t);
  const h = style === 'unicode' ? '─' : '-';
  const v = style === 'unicode' ? '│' : '|';
  const center = 'QUERY PLAN'.padStart(Math.floor((w + 10) / 2)).padEnd(w);
  if (border === 2) {
    const [tl, tr, ml, mr, bl, br] =
      style === 'unicode' ? ['┌', '┐', '├', '┤', '└', '┘'] : ['+', '+', '+', '+', '+', '+'];
    return [
      `${tl}${h.repeat(w + 2)}${tr}`,
      `${v} ${center} ${v}`,
      `${ml}${h.repeat(w + 2)}${mr}`,
      ...rows.map((r) => `${v} ${r.padEnd(w)} ${v}`),
      `${bl}${h.repeat(w + 2)}${br}`,
      `(${rows.length} rows)`,
    ].join('\n');
  }
  const m = border === 1 ? ' ' : '';
  return [
    `${m}${center}`,
    h.repeat(w + 2 * m.length),
    ...rows.map((r) => `${m}${r.padEnd(w)}`),
    `(${rows.length} rows)`,
    '',
  ].join('\n');
}

/** A terminal `cols` wide: every longer line continues at column 0 on the next line. */
function wrapped(t: string, cols: number): string {
  return lines(t)
    .flatMap((l) => {
      const out = [];
      for (let i = 0; i < l.length; i += cols) out.push(l.slice(i, i + cols));
      return out.length ? out : [''];
    })
    .join('\n');
}

const VARIANTS: [string, (t: string) => string][] = [
  ['psql ascii border 0', (t) => psql(t, 'ascii', 0)],
  ['psql ascii border 1', (t) => psql(t, 'ascii', 1)],
  ['psql ascii border 2', (t) => psql(t, 'ascii', 2)],
  ['psql unicode border 1', (t) => psql(t, 'unicode', 1)],
  ['psql unicode border 2', (t) => psql(t, 'unicode', 2)],
  [
    'DBeaver (trailing | column)',
    (t) =>
      [
        'QUERY PLAN'.padEnd(width(t)) + '|',
        '-'.repeat(width(t)) + '+',
        ...lines(t).map((l) => `${l.padEnd(width(t))}|`),
      ].join('\n'),
  ],
  [
    'pgAdmin (each line quoted)',
    (t) =>
      lines(t)
        .map((l) => `"${l.replaceAll('"', '""')}"`)
        .join('\n'),
  ],
  ['CSV cell', (t) => `"${t.replaceAll('"', '""')}"`],
  [
    'command and comment above',
    (t) => `-- slow report, prod, 2 Dec\nEXPLAIN (ANALYZE, BUFFERS)\n  SELECT *\n  FROM x;\n${t}`,
  ],
  ['psql prompt above', (t) => `app=# explain (analyze, buffers) select 1;\n${psql(t, 'ascii', 1)}`],
  ['wrapped by an 80-column terminal', (t) => wrapped(psql(t, 'ascii', 1), 80)],
  ['wrapped by a 47-column terminal', (t) => wrapped(t, 47)],
  [
    'tabs for indentation',
    (t) =>
      lines(t)
        .map((l) => l.replace(/^( {4})+/, (s) => '\t'.repeat(s.length / 4)))
        .join('\n'),
  ],
  [
    'root at column 0, the rest with psql margin',
    (t) =>
      lines(psql(t, 'ascii', 1))
        .map((l, i) => (i === 2 ? l.trimStart() : l))
        .join('\n'),
  ],
  [
    '9.x lower-case timing lines',
    (t) => t.replace('Planning Time', 'Planning time').replace('Execution Time', 'Execution time'),
  ],
  ['CRLF line ends', (t) => t.replaceAll('\n', '\r\n')],
];

describe('plans as people paste them (real PostgreSQL 15 plans)', () => {
  for (const name of PLANS) {
    const base = plain(name);
    const want = shape(parsePlan(base));
    for (const [variant, make] of VARIANTS) {
      it(`${name}: ${variant}`, () => {
        const input = make(base);
        const { plans, warnings } = parsePlans(input);
        assert.equal(plans.length, 1, warnings.join('\n'));
        let expected = want;
        if (variant.startsWith('9.x')) expected = want; // the same numbers, read from lower-case lines
        assert.deepEqual(shape(plans[0]), expected);
      });
    }
  }

  it('several plans in one output (a statement rules rewrote): every plan', () => {
    const two = `${psql(plain('seq-scan-filter'), 'ascii', 1).replace(/\(\d+ rows\)\n$/, '')} \n${plain(
      'cte-initplan',
    )
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n')}\n(40 rows)`;
    const { plans } = parsePlans(two);
    assert.equal(plans.length, 2);
    assert.deepEqual(shape(plans[0]), shape(parsePlan(plain('seq-scan-filter'))));
    assert.deepEqual(shape(plans[1]), shape(parsePlan(plain('cte-initplan'))));
  });

  it('auto_explain entries with a multi-line Query Text: one plan each, with its query', () => {
    const entry = (q: string, p: string) =>
      `2026-12-01 10:00:00 UTC LOG:  duration: 20.3 ms  plan:\n\tQuery Text: ${q.split('\n').join('\n\t            ')}\n${p
        .split('\n')
        .map((l) => `\t${l}`)
        .join('\n')}`;
    const log = `${entry('SELECT count(*)\nFROM ss\nWHERE k = 42;', plain('seq-scan-filter'))}\n${entry('WITH c AS (SELECT 1)\nSELECT * FROM c;', plain('cte-initplan'))}`;
    const { plans } = parsePlans(log);
    assert.equal(plans.length, 2);
    assert.equal(plans[0].queryText, 'SELECT count(*)\nFROM ss\nWHERE k = 42;');
    assert.equal(plans[1].queryText, 'WITH c AS (SELECT 1)\nSELECT * FROM c;');
    assert.deepEqual(shape(plans[1]), shape(parsePlan(plain('cte-initplan'))));
  });

  it('quoted and schema-qualified names: Seq Scan on public."User" u', () => {
    const p = parsePlan(
      'Seq Scan on public."User" u  (cost=0.00..1.01 rows=1 width=4)\n  Filter: (u.id = 1)',
    );
    assert.equal(p.root.schema, 'public');
    assert.equal(p.root.relation, 'User');
    assert.equal(p.root.alias, 'u');
    const q = parsePlan(
      'Index Scan using "User_pkey" on "My Schema"."Odd ""Name""" x  (cost=0.1..8.1 rows=1 width=4)',
    );
    assert.equal(q.root.schema, 'My Schema');
    assert.equal(q.root.relation, 'Odd "Name"');
    assert.equal(q.root.indexName, 'User_pkey');
  });

  it('JSON_TABLE: Table Function Scan as the root', () => {
    const p = parsePlan(
      ' Table Function Scan on "json_table"\n   Output: "json_table".a\n   Table Function Call: JSON_TABLE(...)',
    );
    assert.equal(p.root.nodeType, 'Table Function Scan');
    assert.equal(p.nodes.length, 1);
  });

  it('a line that belongs nowhere is named with its line number, not dropped silently', () => {
    const { plans, warnings } = parsePlans(`${plain('seq-scan-filter')}\n\n# pasted from the incident doc`);
    assert.equal(plans.length, 1);
    assert.ok(
      warnings.some((w) => /^line \d+: "# pasted from the incident doc" is not part of the plan/.test(w)),
      warnings.join('\n'),
    );
  });

  it('a child left of its root is placed under the root with a warning; a first line that is no node is refused', () => {
    const { plans, warnings } = parsePlans(
      '   Hash Join  (cost=1.00..2.00 rows=1 width=4)\n ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4)',
    );
    assert.equal(plans[0].root.children[0].label, 'Seq Scan on a');
    assert.match(warnings.join('\n'), /^line 2: .* left of the root's column/);
    assert.throws(
      () => parsePlans('this is not\na plan at all'),
      (e: unknown) => isPerfloopError(e) && e.code === 'PLAN_INVALID' && /line 1/.test(e.message),
    );
  });

  it('a plan 1,000 levels deep: every node, in the right place', () => {
    const { plans } = parsePlans(deepPlan(1000));
    const p = plans[0];
    assert.equal(p.nodes.length, 2001);
    let n = p.root;
    let depth = 0;
    while (n.children.length) {
      n = n.children[n.children.length - 1];
      depth++;
    }
    assert.equal(depth, 1000);
    assert.equal(n.label, 'Seq Scan on leaf');
    assert.equal(p.executionMs, 100);
  });
});

describe('perfloop explain on files', () => {
  const dir = tempDir('perfloop-explain-');

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cliPath, ...args]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  it('--json: one entry per plan of the input (perfloop/explain@1)', async () => {
    const file = join(dir, 'two.txt');
    writeFileSync(file, `${plain('seq-scan-filter')}\n\n${plain('nested-loop-many')}\n`);
    const r = await cli(['explain', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.schema, 'perfloop/explain@1');
    assert.equal(doc.plans.length, 2);
    assert.equal(doc.plans[0].root.label, parsePlan(plain('seq-scan-filter')).root.label);
    assert.equal(doc.plans[1].nodes, parsePlan(plain('nested-loop-many')).nodes.length);
    assert.ok(doc.plans[0].findings.some((f: { rule: string }) => f.rule === 'db.seq-scan-filter'));
    assert.ok(doc.plans[1].findings.some((f: { rule: string }) => f.rule === 'db.nested-loop-many'));
    assert.deepEqual(doc.advice, []);
  });

  it('--diff BEFORE AFTER: nodes matched, the scan that changed method shown with its times', async () => {
    // the same statement before and after an index: Seq Scan → Index Scan on the same table
    const before = join(dir, 'before.txt');
    const after = join(dir, 'after.txt');
    writeFileSync(before, plain('seq-scan-filter'));
    writeFileSync(after, readFileSync(fixture('db', 'plans', 'healthy.pg15.txt'), 'utf8'));
    const r = await cli(['explain', before, '--diff', after, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout).diff;
    assert.equal(d.schema, 'perfloop/plan-diff@1');
    const b = parsePlan(plain('seq-scan-filter'));
    assert.equal(d.before.executionMs, b.executionMs);
    assert.ok(d.nodes.length >= 1);
    assert.equal(d.nodes[0].before.label, b.root.label);
    const text = await cli(['explain', before, '--diff', after]);
    assert.match(text.stdout, /Plan diff \(before → after\):/);
  });

  it('SIGTERM stops a long parse at once', async () => {
    const file = join(dir, 'deep.txt');
    writeFileSync(file, deepPlan(1800));
    const child = spawn(process.execPath, [cliPath, 'explain', file, '--json']);
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/reading \d+ MB of plan text/.test(stderr)) resolve();
      }),
    );
    await started;
    child.kill('SIGTERM');
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    assert.equal(stdout, '', 'stopped before printing a result');
    assert.match(stderr, /INTERRUPTED: stopped before the plan was read/);
    assert.equal(code, 1);
  });
});
