import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CounterSink, TrendSink } from '../../../src/core/metric.js';
import { runLoad } from '../../../src/load/engine.js';
import { tempDir } from '../../helpers.js';
import { startK6Server } from './k6-server.js';

/**
 * One k6-style script (written for this test, in k6's documented style) that exercises the k6 APIs perfloop
 * implements; every behaviour is a named check, so a broken one shows up by name.
 */
const featureScript = (base: string) => `
import http from 'k6/http';
import { check, group, sleep, fail } from 'k6';
import { Trend, Counter } from 'k6/metrics';
import exec from 'k6/execution';
import { SharedArray } from 'k6/data';
import encoding from 'k6/encoding';
import crypto from 'k6/crypto';
import { setTimeout } from 'k6/timers';

const BASE = '${base}';
const users = new SharedArray('users', () => JSON.parse(open('./users.json')));
const logo = open('./logo.bin', 'b');
const signed = new Trend('signed_values');
const loginsDone = new Counter('logins_done');

export const options = { vus: 2, iterations: 4 };

export function setup() {
  const r = http.get(BASE + '/items');
  return { total: r.json('total') };
}

function loginAs(user) {
  const res = http.post(BASE + '/echo', { user: user.name, note: 'a b&c' });
  loginsDone.add(1);
  return res;
}

export default function (data) {
  const user = users[(__VU - 1) % users.length];
  const form = loginAs(user);
  check(form, {
    'object body is form-encoded': (r) =>
      r.json('headers.content-type') === 'application/x-www-form-urlencoded' && r.json('body') === 'note=a+b%26c&user=' + user.name,
    'canonical response header names': (r) => r.headers['Content-Type'] === 'application/json',
    'status_text and proto as k6': (r) => r.status_text === '200 OK' && r.proto === 'HTTP/1.1',
  });

  const red = http.get(BASE + '/redirect?n=3');
  check(red, {
    'redirects are followed': (r) => r.status === 200 && r.url === BASE + '/items',
    'json(selector) with # and index': (r) => r.json('items.#') === 2 && r.json('items.1.name') === 'b' && r.json('items.#.id').join() === '1,2',
  });
  const stopped = http.get(BASE + '/redirect?n=3', { redirects: 1 });
  check(stopped, { 'params.redirects limits them': (r) => r.status === 302 });
  const seeOther = http.post(BASE + '/post-redirect', 'x');
  check(seeOther, { '303 turns a POST into a GET': (r) => r.json('method') === 'GET' });

  http.get(BASE + '/login');
  const me = http.get(BASE + '/echo', { cookies: { extra: 'yes' } });
  check(me, {
    'response cookies are kept per VU and sent back': (r) => /sid=s3cret/.test(r.json('headers.cookie')) && /theme=dark/.test(r.json('headers.cookie')),
    'params.cookies are sent too': (r) => /extra=yes/.test(r.json('headers.cookie')),
  });
  const jar = http.cookieJar();
  check(jar, { 'cookieJar().cookiesForURL': (j) => j.cookiesForURL(BASE + '/').sid[0] === 's3cret' });

  const basic = http.get(BASE.replace('http://', 'http://alice:pw@') + '/basic');
  check(basic, { 'basic auth from user:pass@host': (r) => r.body === 'basic ok' });
  const digest = http.get(BASE.replace('http://', 'http://bob:pw@') + '/digest', { auth: 'digest' });
  check(digest, { 'digest auth': (r) => r.status === 200 && r.body === 'digest ok' });

  const slow = http.get(BASE + '/slow', { timeout: '200ms' });
  check(slow, { 'params.timeout ends the request as k6 names it': (r) => r.status === 0 && r.error === 'request timeout' && r.error_code === 1050 });
  const missing = http.get(BASE + '/status?code=404');
  check(missing, { 'error_code of a 404 is 1404': (r) => r.status === 404 && r.error_code === 1404 });

  const up = http.post(BASE + '/echo', { file: http.file(logo, 'logo.bin', 'image/png'), title: 't' });
  check(up, {
    'http.file is sent multipart': (r) => /^multipart\\/form-data; boundary=/.test(r.json('headers.content-type')) && r.json('body').includes('filename="logo.bin"') && r.json('body').includes('Content-Type: image/png'),
  });

  const [a, b] = http.batch([BASE + '/items', ['POST', BASE + '/echo', 'z']]);
  const named = http.batch({ one: { method: 'GET', url: BASE + '/items' } });
  check(null, { 'http.batch keeps shape and order': () => a.json('total') === 2 && b.json('body') === 'z' && named.one.status === 200 });

  const sum = group('shop', () => {
    const r = http.get(BASE + '/items');
    check(r, { 'inside a group': (x) => x.status === 200 });
    return r.json('total') + 1;
  });
  check(sum, { 'group returns its function value': (v) => v === 3 });

  const timed = http.get(BASE + '/items');
  check(timed.timings, {
    'every timing field is there': (t) => ['blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving', 'duration'].every((k) => typeof t[k] === 'number'),
    'duration = sending + waiting + receiving': (t) => Math.abs(t.duration - (t.sending + t.waiting + t.receiving)) < 1e-6,
  });

  check(null, {
    '__ENV from the environment': () => __ENV.K6_FEATURE_FLAG === 'on',
    '__VU and __ITER': () => __VU >= 1 && __VU <= 2 && __ITER >= 0 && exec.vu.idInTest === __VU,
    'setup data reaches the VU': () => data.total === 2,
    'open() binary is an ArrayBuffer': () => logo instanceof ArrayBuffer && logo.byteLength === 4,
    'SharedArray is frozen': () => Object.isFrozen(users) && users.length === 2,
    'k6/encoding round-trips': () => encoding.b64decode(encoding.b64encode('perf?loop'), 'std', 's') === 'perf?loop' && encoding.b64encode('?>', 'rawurl') === 'Pz4',
    'k6/crypto hashes': () => crypto.sha256('abc', 'hex') === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' && crypto.hmac('sha256', 'k', 'v', 'hex').length === 64,
  });
  for (const v of [-5, 0, 2.5]) signed.add(v);
  let fired = false;
  setTimeout(() => (fired = true), 1);
  sleep(0.05);
  check(fired, { 'k6/timers run while the VU sleeps': (f) => f === true });
  if (__ITER === 1) fail('planned failure on the second iteration');
}

export function teardown(data) {
  if (data.total !== 2) throw new Error('teardown did not get setup data');
}
`;

test('a k6 script using the whole k6 API runs unmodified; every behaviour passes its check', async () => {
  const srv = await startK6Server();
  const dir = tempDir();
  const script = join(dir, 'features.js');
  writeFileSync(script, featureScript(srv.url));
  writeFileSync(join(dir, 'users.json'), JSON.stringify([{ name: 'ann' }, { name: 'ben' }]));
  writeFileSync(join(dir, 'logo.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  process.env.K6_FEATURE_FLAG = 'on';
  try {
    const result = await runLoad({ script, timeoutMs: 10_000 });
    const failing = result.checks().filter((c) => c.fails > 0 || c.passes === 0);
    assert.deepEqual(failing, [], `failing checks: ${failing.map((c) => c.name).join(', ')}`);
    assert.ok(result.checks().length >= 25, `only ${result.checks().length} checks ran`);
    const m = result.metrics;
    assert.equal((m.aggregate('iterations') as CounterSink).sum, 4, 'iterations that threw are counted');
    assert.ok(
      result.extras.warnings?.some((w) => /planned failure.*features\.js:\d+/.test(w)),
      `the error names the script line: ${result.extras.warnings?.join(' | ')}`,
    );
    assert.equal((m.aggregate('http_reqs') as CounterSink).sum, srv.requests(), 'http_reqs = requests served');
    const signed = m.aggregate('signed_values') as TrendSink;
    assert.equal(signed.min, -5);
    assert.equal(signed.percentile(50), 0);
    assert.equal((m.aggregate('logins_done') as CounterSink).sum, 4);
    const shop = m.aggregate('http_reqs', { group: '::shop' }) as CounterSink;
    assert.equal(shop.sum, 4, 'requests inside group() carry its path');
    assert.ok((m.aggregate('http_req_connecting') as TrendSink).max > 0, 'connect time is measured');
  } finally {
    delete process.env.K6_FEATURE_FLAG;
    await srv.close();
  }
});
