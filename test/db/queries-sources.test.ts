import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isPerfloopError, type PerfloopError } from '../../src/core/errors.js';
import { queriesReport } from '../../src/db/queries-report.js';
import { loadQuerySource } from '../../src/db/sources/index.js';
import { observedFromSpans, spansOfFile } from '../../src/db/sources/otlp.js';
import { cliPath, fixture, tempDir } from '../helpers.js';

const run = promisify(execFile);
const TOP_FIELDS = ['fingerprint', 'query', 'calls', 'totalMs', 'meanMs', 'p95Ms', 'rows'];

describe('perfloop queries: the Node agent’s captures (a real demo run)', () => {
  for (const path of [fixture('db', 'run'), fixture('db', 'run', 'queries.ndjson')]) {
    it(`reads ${path.endsWith('.ndjson') ? 'queries.ndjson' : 'the run directory'}: top queries and the N+1 with its request`, async () => {
      const source = await loadQuerySource(path);
      assert.equal(source.kind, 'agent');
      assert.equal(source.queries.length, 674);
      assert.equal(source.requests.length, 25, 'requests.ndjson beside it');
      const r = queriesReport(source);
      assert.equal(r.schema, 'perfloop/queries@1');
      assert.deepEqual(Object.keys(r.top[0]), TOP_FIELDS);
      assert.match(r.top[0].query, /FROM orders WHERE customer_id = \$1 ORDER BY placed_at DESC, id DESC$/);
      assert.equal(r.top[0].calls, 649);
      const n1 = r.findings.filter((f) => f.rule === 'db.n-plus-one');
      assert.equal(n1.length, 1);
      assert.equal(n1[0].evidence.route, 'GET /api/customers/top');
      assert.equal(n1[0].evidence.request, 'GET /api/customers/top?limit=40');
      assert.equal(n1[0].evidence.meanRepeats, 40);
      assert.match(
        String(n1[0].evidence.batchedQuery),
        /WHERE customer_id = ANY\(\$1\) ORDER BY placed_at DESC, id DESC$/,
      );
      assert.equal(
        r.histogram.reduce((s, b) => s + b.count, 0),
        674,
      );
    });
  }

  it('a torn last line (a run killed while writing) is skipped and reported', async () => {
    const dir = tempDir();
    try {
      copyFileSync(fixture('db', 'run', 'queries.ndjson'), join(dir, 'queries.ndjson'));
      writeFileSync(
        join(dir, 'queries.ndjson'),
        `${readFileSync(join(dir, 'queries.ndjson'), 'utf8')}{"t":1,"durationMs":2,"te`,
      );
      const s = await loadQuerySource(dir);
      assert.equal(s.queries.length, 674);
      assert.deepEqual(s.notes, ['1 unreadable line(s) skipped']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('perfloop queries: OpenTelemetry traces (any language)', () => {
  it('a real OTLP/JSON file (Node SDK + pg instrumentation): queries under their server spans, the N+1 per request', async () => {
    const source = await loadQuerySource(fixture('db', 'otlp', 'n-plus-one.otlp.json'));
    assert.equal(source.kind, 'otlp');
    assert.equal(source.requests.length, 3);
    assert.equal(source.queries.length, 19, 'pool connect spans are not statements');
    const r = queriesReport(source);
    const [n1, ...rest] = r.findings.filter((f) => f.rule === 'db.n-plus-one');
    assert.equal(rest.length, 0, 'the single-customer request is no N+1');
    assert.equal(n1.evidence.route, 'GET /api/customers/top');
    assert.equal(n1.evidence.request, 'GET /api/customers/top?limit=8');
    assert.equal(n1.evidence.meanRepeats, 8);
    assert.equal(n1.evidence.requestsAffected, 2);
    assert.equal(
      typeof n1.evidence.pctOfRequestTime,
      'number',
      'server span durations give the share of request time',
    );
    assert.match(n1.recommendation, /customer_id = ANY\(\$1\)/);
  });

  it('older semantic conventions (db.statement, http.target), string span kinds and NDJSON files', () => {
    const span = (
      id: string,
      parent: string | null,
      kind: string,
      attrs: Record<string, string | number>,
      startMs: number,
      ms: number,
    ) => ({
      traceId: 'aa'.repeat(16),
      spanId: id.padStart(16, '0'),
      ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
      name: 'span',
      kind,
      startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
      endTimeUnixNano: String(BigInt(startMs + ms) * 1_000_000n),
      attributes: Object.entries(attrs).map(([key, v]) => ({
        key,
        value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
      })),
    });
    const spans = [
      span(
        '1',
        null,
        'SPAN_KIND_SERVER',
        { 'http.method': 'GET', 'http.target': '/books/9/reviews', 'http.status_code': 200 },
        0,
        100,
      ),
      span('2', '1', 'SPAN_KIND_INTERNAL', {}, 1, 90),
      ...Array.from({ length: 6 }, (_, i) =>
        span(
          String(10 + i),
          '2',
          'SPAN_KIND_CLIENT',
          { 'db.system': 'postgresql', 'db.statement': `SELECT * FROM reviews WHERE book_id = ${i}` },
          2 + i * 10,
          8,
        ),
      ),
    ];
    const line = (s: unknown[]) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: s }] }] });
    const { queries, requests } = observedFromSpans(
      spansOfFile(`${line(spans.slice(0, 4))}\n${line(spans.slice(4))}\n`),
    );
    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, '/books/9/reviews');
    assert.equal(queries.length, 6);
    assert.ok(queries.every((q) => q.request === 'GET /books/9/reviews' && q.durationMs === 8));
    const [f] = queriesReport({ queries, requests, kind: 'otlp' }).findings.filter(
      (x) => x.rule === 'db.n-plus-one',
    );
    assert.equal(f.evidence.route, 'GET /books/:id/reviews');
  });
});

describe('perfloop queries: PostgreSQL server logs (log_min_duration_statement = 0)', () => {
  for (const [file, kind] of [
    ['n-plus-one.stderr.txt', 'stderr'],
    ['n-plus-one.csv', 'csvlog'],
    ['n-plus-one.jsonlog', 'jsonlog'],
  ] as const) {
    it(`${kind}: statements, parse/bind/execute as one query, the N+1 per session burst`, async () => {
      const source = await loadQuerySource(fixture('db', 'pg-log', file));
      assert.equal(source.kind, kind);
      assert.equal(source.queries.length, 35);
      // parse 0.320 + bind 0.253 + execute 0.021 ms
      assert.equal(source.queries[0].durationMs, 0.594);
      assert.ok(
        source.queries.some((q) => q.text === 'SELECT count(*)\n  FROM logshop.orders\n WHERE total > 100'),
        'multi-line statement',
      );
      const r = queriesReport(source);
      assert.equal(r.top[0].query, 'SELECT pg_sleep($1)');
      assert.deepEqual(
        [r.top[1].query, r.top[1].calls],
        ['SELECT id, total FROM logshop.orders WHERE customer_id = $1', 30],
      );
      const [n1] = r.findings.filter((f) => f.rule === 'db.n-plus-one');
      assert.equal(n1.evidence.meanRepeats, 10);
      assert.equal(n1.evidence.requestsAffected, 3);
    });
  }
});

describe('perfloop queries (CLI)', () => {
  const cli = async (args: string[]) => {
    try {
      const r = await run(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
      return { code: 0, ...r };
    } catch (e) {
      return e as { code: number; stdout: string; stderr: string };
    }
  };

  it('--json prints the perfloop/queries@1 contract', async () => {
    const r = await cli(['queries', fixture('db', 'run'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.schema, 'perfloop/queries@1');
    assert.deepEqual(Object.keys(json.top[0]), TOP_FIELDS);
    assert.ok(json.findings.some((f: { rule: string }) => f.rule === 'db.n-plus-one'));
  });

  it('--min-repeats above the loop length: no N+1', async () => {
    const r = await cli([
      'queries',
      fixture('db', 'otlp', 'n-plus-one.otlp.json'),
      '--json',
      '--min-repeats',
      '9',
    ]);
    assert.equal(
      JSON.parse(r.stdout).findings.filter((f: { rule: string }) => f.rule === 'db.n-plus-one').length,
      0,
    );
  });

  it('something that is not a query source: one line, exit 2', async () => {
    const r = await cli(['queries', cliPath]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^perfloop: QUERIES_SOURCE: .* not a query source/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const missing = await cli(['queries', fixture('db', 'does-not-exist')]);
    assert.equal(missing.code, 2);
  });

  it('loadQuerySource rejects unknown content with a PerfloopError', async () => {
    await assert.rejects(
      loadQuerySource(cliPath),
      (e: unknown) => isPerfloopError(e) && (e as PerfloopError).exitCode === 2,
    );
  });
});
