import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, tempDir } from '../../helpers.js';
import { startServer } from '../servers.js';

/** jslib imports resolve to built-in equivalents (no network), k6/html scrapes a form, handleSummary writes files. */
const script = (base: string) => `
import http from 'k6/http';
import { check } from 'k6';
import { parseHTML } from 'k6/html';
import { randomIntBetween, randomItem, uuidv4, findBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';
import papaparse from 'https://jslib.k6.io/papaparse/5.1.1/index.js';
import { Httpx } from 'https://jslib.k6.io/httpx/0.1.0/index.js';
import { textSummary, jUnit } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';
import { URL } from 'https://jslib.k6.io/url/1.0.0/index.js';

const rows = papaparse.parse(open('./users.csv'), { header: true, skipEmptyLines: true }).data;
const session = new Httpx({ baseURL: '${base}', headers: { 'X-Session': 'one' } });

export const options = { iterations: 2, thresholds: { checks: ['rate==1'] } };

export default function () {
  const page = session.get('/form');
  const doc = parseHTML(page.body);
  const token = doc.find('input[name=csrf]').attr('value');
  check(page, {
    'httpx sends its base URL and headers': (r) => r.status === 200 && r.request.headers['X-Session'][0] === 'one',
    'k6/html finds the form token': () => token === 't0k3n' && doc.find('input').size() === 2,
    'res.html() too': (r) => r.html().find('form').attr('action') === '/submit',
    'k6-utils': () => { const n = randomIntBetween(3, 5); return n >= 3 && n <= 5 && /^[0-9a-f-]{36}$/.test(uuidv4()) && findBetween('<a>x</a>', '<a>', '</a>') === 'x' && ['q'].includes(randomItem(['q'])); },
    'papaparse reads the CSV open() gave': () => rows.length === 2 && rows[1].name === 'ben',
    'url jslib': () => new URL('${base}/a?b=1').searchParams.get('b') === '1',
  });
}

export function handleSummary(data) {
  return {
    stdout: textSummary(data, { indent: ' ', enableColors: false }),
    'summary.json': JSON.stringify(data),
    'junit.xml': jUnit(data),
  };
}
`;

test('jslib modules, k6/html and handleSummary', async () => {
  const srv = await startServer((url, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<html><body><form action="/submit"><input name="csrf" value="t0k3n"><input name="user"></form></body></html>');
  });
  const dir = tempDir();
  writeFileSync(join(dir, 's.js'), script(srv.url));
  writeFileSync(join(dir, 'users.csv'), 'name,age\nann,31\nben,42\n');
  try {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, [cliPath, 'load', 's.js'], { cwd: dir });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('close', (code) => resolve({ code, out, err }));
    });
    const data = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const failing = data.root_group.checks.filter((c: { fails: number }) => c.fails > 0).map((c: { name: string }) => c.name);
    assert.deepEqual(failing, []);
    assert.equal(r.code, 0, r.err);
    assert.equal(data.root_group.checks.length, 6);
    assert.equal(data.metrics.http_reqs.values.count, 2);
    assert.equal(data.metrics.checks.thresholds['rate==1'].ok, true);
    assert.deepEqual(Object.keys(data.metrics.http_req_duration.values), ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    assert.match(r.out, /✓ httpx sends its base URL and headers/);
    assert.doesNotMatch(r.out, /TOTAL RESULTS/, "handleSummary replaces perfloop's own summary");
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<testcase name="checks - rate==1"\/>/);
  } finally {
    await srv.close();
  }
});
