import { test } from 'node:test';
import assert from 'node:assert/strict';
import { K6TransformError, transformK6 } from '../../../src/load/k6/transform.js';

const t = (src: string) => transformK6(src, { runtimeUrl: 'rt:', file: 'script.js' });
const fails = (src: string, line: number, re: RegExp) =>
  assert.throws(
    () => t(src),
    (e: unknown) => e instanceof K6TransformError && e.line === line && re.test(e.message),
  );

test('functions that call blocking k6 APIs become async and their calls are awaited; others stay sync', () => {
  const out = t(`import http from 'k6/http';
import { sleep, check } from 'k6';
function fetchUser(id) { return http.get('http://x/u/' + id); }
const byName = (a, b) => a.name.localeCompare(b.name);
export default function () {
  const r = fetchUser(1);
  check(r, { ok: (x) => x.status === 200 });
  [3, 1].sort(byName);
  sleep(1);
}`);
  assert.match(out, /async function fetchUser/);
  assert.match(out, /export default async function/);
  assert.match(out, /await fetchUser\(1\)/);
  assert.match(out, /await sleep\(1\)/);
  assert.doesNotMatch(out, /async \(a, b\)/);
  assert.doesNotMatch(out, /async \(x\)/);
  assert.doesNotMatch(out, /await check/);
});

test('line numbers are unchanged (errors and stack traces name the script line)', () => {
  const src = `import http from 'k6/http';\n\nexport default function () {\n  http.get('http://x');\n}\n`;
  const out = t(src);
  assert.equal(out.split('\n').length, src.split('\n').length);
  assert.match(out.split('\n')[3], /await http\.get/);
});

test('a blocking callback of an array method runs through the sequential helper', () => {
  const out = t(`import http from 'k6/http';
export default function () { ['a', 'b'].forEach((p) => http.get('http://x/' + p)); }`);
  assert.match(out, /__k6rt\.each\(\['a', 'b'\], "forEach"\)\(async \(p\)/);
});

test('a function passed as a parameter that makes requests makes the callee async too', () => {
  const out = t(`import http from 'k6/http';
function retry(fn, n) { for (let i = 0; i < n; i++) { const r = fn(); if (r.status === 200) return r; } }
export default function () { retry(() => http.get('http://x'), 3); }`);
  assert.match(out, /async function retry/);
  assert.match(out, /await fn\(\)/);
  assert.match(out, /await retry\(/);
});

test('loops get a guard and catch clauses rethrow the interrupt', () => {
  const out = t(`export default function () { while (true) {} try { x(); } catch { } for (;;) y(); }`);
  assert.match(out, /while \(true\) \{__k6rt\.g\(\);\}/);
  assert.match(out, /catch \(__k6e\) \{__k6rt\.rethrow\(__k6e\);/);
  assert.match(out, /for \(;;\) \{__k6rt\.g\(\);y\(\);\}/);
});

test('what the model cannot run is exit-2 material naming the line', () => {
  fails(`import ws from 'k6/ws';\nexport default function () {}`, 1, /k6\/ws.*WebSocket.*not supported/);
  fails(`import x from 'k6/experimental/redis';`, 1, /experimental/);
  fails(`import { a } from 'https://example.com/lib.js';`, 1, /remote module https:\/\/example\.com\/lib\.js/);
  fails(
    `import http from 'k6/http';\nexport default function () {\n  JSON.parse('{}', () => http.get('http://x'));\n}`,
    3,
    /passed to parse\(\), which would not wait/,
  );
  fails(
    `import http from 'k6/http';\nclass A {\n  get x() { return http.get('http://x'); }\n}`,
    3,
    /getter cannot make requests/,
  );
  fails(`export default function () {\n  const x = ;\n}`, 2, /syntax error/);
});

test('jslib URLs that perfloop has built in are accepted', () => {
  assert.doesNotThrow(() =>
    t(`import { randomIntBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';\nexport default function () {}`),
  );
});
