import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBudget } from '../../src/gate/budget.js';
import { evaluateGate } from '../../src/gate/gate.js';
import { gateJunit, xmlEscape } from '../../src/report/gate-junit.js';
import { gateMarkdown } from '../../src/report/gate-markdown.js';
import { gateText } from '../../src/report/gate-text.js';
import { recordFromLatencies, steadyLatencies } from '../gate/records.js';

const evil = '<script>alert(1)</script> | "quoted" & \u0001';

function result(slower: number) {
  const base = recordFromLatencies(steadyLatencies(12, 20, 80, 1), { label: evil });
  const cand = recordFromLatencies(steadyLatencies(12, 20 * slower, Math.round(80 / slower), 2), {
    label: 'candidate',
  });
  const budget = parseBudget(
    {
      metrics: { p95_latency_ms: { max: 25 } },
      thresholds: { http_req_duration: ['p(99)<1000'], [`http_req_duration{name:${'<x>'}}`]: ['p(95)<1'] },
    },
    'b.json',
  );
  return evaluateGate(
    { runs: [cand], source: 'run cand' },
    { runs: [base], source: `run base (${evil})` },
    budget,
  );
}

test('gate result: pass without regression, fail with one, regardless of the overall verdict wording', () => {
  const ok = result(1);
  assert.equal(ok.thresholds.find((t) => t.expression === 'p(99)<1000')!.pass, true);
  assert.equal(
    ok.regressions.some((r) => r.verdict === 'regressed'),
    false,
  );
  const slow = result(1.5);
  assert.equal(slow.pass, false);
  assert.equal(slow.verdict, 'regressed');
  assert.ok(slow.failures.some((f) => f.startsWith('regression p50 latency')));
  assert.ok(slow.failures.some((f) => f.startsWith('budget p95_latency_ms')));
  // p99 is compared but not gated by default
  const p99 = slow.regressions.find((r) => r.name === 'p99_latency_ms')!;
  assert.equal(p99.gated, false);
  assert.equal(p99.pass, true);
});

test('the PR comment escapes what users and profiles put in it', () => {
  const md = gateMarkdown(result(1.5), {
    flameLinks: { diff: 'runs/a b/diff.html' },
    flameChanges: [
      {
        name: '<img src=x onerror=alert(1)>`',
        beforeSelfPct: 10,
        afterSelfPct: 30,
        deltaSelfPct: 20,
        deltaTotalPct: 20,
      },
    ],
  });
  assert.doesNotMatch(md, /<script>/);
  assert.equal(md.split('<img').length, 2, 'the only <img is the one inside a code span');
  assert.match(md, /&lt;script&gt;/);
  assert.match(md, /\(runs\/a%20b\/diff\.html\)/);
  assert.match(
    md,
    /`` <img src=x onerror=alert\(1\)>` ``/,
    'function names are code spans, where HTML stays inert',
  );
  assert.match(md, /## ❌ perfloop gate: fail/);
  assert.match(md, /\*\*Why it failed\*\*/);
  assert.match(gateText(result(1.5)), /^perfloop gate: FAIL · verdict regressed/);
});

test('JUnit XML: one suite per kind of check, failures carry the numbers, everything escaped', () => {
  assert.equal(xmlEscape(evil), '&lt;script&gt;alert(1)&lt;/script&gt; | &quot;quoted&quot; &amp; ');
  const xml = gateJunit(result(1.5));
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="perfloop gate"/);
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 3);
  assert.match(
    xml,
    /name="http_req_duration\{name:&lt;x&gt;\}: p\(95\)&lt;1"><failure message="actual no endpoint named &quot;&lt;x&gt;&quot; in this run"/,
  );
  // no raw markup inside attribute values
  for (const attr of xml.match(/"[^"]*"/g) ?? []) assert.doesNotMatch(attr, /[<>]/);
  const tests = Number(/<testsuites [^>]*tests="(\d+)"/.exec(xml)![1]);
  assert.equal(tests, (xml.match(/<testcase /g) ?? []).length);
  const failures = Number(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1]);
  assert.equal(failures, (xml.match(/<failure /g) ?? []).length);
});
