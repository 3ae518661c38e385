import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import { databaseSectionMarkdown } from '../../src/db/report-section.js';

const evil = 'SELECT "<script>alert(1)</script>" | x FROM t WHERE a = $1 -- ```';

test('everything from a query or a plan is escaped or fenced so it cannot break out', () => {
  const finding: Finding = {
    rule: 'db.n-plus-one',
    area: 'db',
    severity: 'high',
    title: 'N+1 in GET /<img src=x> | pipe',
    evidence: {
      route: 'GET /<b>x</b>',
      request: 'GET /x?`a`|b',
      meanRepeats: 9,
      requestsAffected: 2,
      normalized: evil,
      batchedQuery: evil.replace('= $1', '= ANY($1)'),
      totalMs: 12,
    },
    recommendation: 'batch | it',
    estimatedImpact: { pct: 30, basis: 'x' },
  };
  const md = databaseSectionMarkdown({
    top: [{ fingerprint: 'f', query: evil, calls: 3, totalMs: 9, meanMs: 3, p95Ms: 4, rows: 1 }],
    findings: [finding, { ...finding, rule: 'db.slow-query', title: 'Slow <script> | query' }],
    explained: [
      {
        fingerprint: 'f',
        query: evil,
        example: evil,
        calls: 3,
        totalMs: 9,
        meanMs: 3,
        analysis: {
          schema: 'perfloop/plan-analysis@1',
          planningMs: 0.1,
          executionMs: 1,
          findings: [{ ...finding, rule: 'db.seq-scan-filter', title: 'Seq Scan on "<t>"' }],
          indexAdvice: [],
        },
        planText: "Seq Scan on t\n  Filter: (a = '````')",
        analyzed: true,
        params: [{ value: '<v>', source: 't.a' }],
        note: null,
        error: null,
      },
    ],
  });
  // outside fenced blocks no raw HTML survives
  const outside = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  // …and inline code spans (delimited by equal backtick runs) hold the rest inertly
  assert.doesNotMatch(outside.replace(/(`+)(?!`).*?[^`]\1(?!`)/g, ''), /<(script|img|b|t|v)\b/);
  assert.match(outside, /N\+1 in GET \/&lt;img src=x&gt; \\\| pipe|Seq Scan on "&lt;t&gt;"/);
  // each fence is longer than any backtick run it holds
  for (const m of md.matchAll(/^(`{3,})(\w*)\n([\s\S]*?)\n\1$/gm)) {
    const longest = Math.max(0, ...(m[3].match(/`+/g) ?? []).map((x) => x.length));
    assert.ok(m[1].length > longest);
  }
  assert.match(md, /^`{4}sql\n-- Before: runs 9× per request/m);
  assert.match(md, /\*\*Index Recommendations\*\*:\n\nNone/);
});

test('an empty run still renders the method’s headings', () => {
  const md = databaseSectionMarkdown({ findings: [] });
  assert.match(md, /^### Database Performance Analysis/);
  assert.match(md, /\*\*Index Recommendations\*\*/);
  assert.match(md, /\*\*N\+1 Query Detection\*\*/);
});
