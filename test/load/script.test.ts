import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CounterSink, RateSink, TrendSink } from '../../src/core/metric.js';
import { PerfloopError } from '../../src/core/errors.js';
import { runLoad } from '../../src/load/engine.js';
import { loadDeclarative } from '../../src/load/script/declarative.js';
import { tempDir } from '../helpers.js';
import { startServer } from './servers.js';

/** A small shop: /token, /home, POST /order (JSON), /done?token=… */
async function shop() {
  const done: string[] = [];
  const srv = await startServer((url, res) => {
    if (url.pathname === '/token') return void res.end('T');
    if (url.pathname === '/done') {
      done.push(url.searchParams.get('token') ?? '');
      return void res.end('bye');
    }
    if (url.pathname === '/order') {
      res.setHeader('content-type', 'application/json');
      return void res.end('{"ok":true}');
    }
    setTimeout(() => res.end('home'), 1);
  });
  return { srv, done };
}

const moduleScript = (url: string) => `
import { Trend, Counter, Rate, Gauge } from 'perfloop/load';
const think = new Trend('think_time', true);
const orders = new Counter('orders');
const okRate = new Rate('ok_rate');
const last = new Gauge('last_status');
const URL = ${JSON.stringify(url)};

export const options = {
  scenarios: {
    browse: { executor: 'shared-iterations', vus: 2, iterations: 20, exec: 'browse', tags: { flow: 'browse' } },
    buy: { executor: 'per-vu-iterations', vus: 1, iterations: 5 },
  },
  thresholds: {
    'http_req_duration{name:home}': ['p(95)<5000'],
    checks: ['rate==1'],
    orders: ['count==5'],
    think_time: ['max<1000'],
  },
};

export async function setup(ctx) {
  const r = await ctx.http.get(URL + '/token');
  return { token: r.body };
}

export async function browse(ctx) {
  const r = await ctx.http.get(URL + '/home', { tags: { name: 'home' } });
  ctx.check(r, { 'status is 200': (x) => x.status === 200, 'has token': () => ctx.data.token === 'T' });
  last.add(r.status);
}

export default async function (ctx) {
  await ctx.group('checkout', async () => {
    const r = await ctx.http.post(URL + '/order', { item: 1 });
    ctx.check(r, { 'order accepted': (x) => x.json().ok === true });
    orders.add(1);
  });
  await ctx.sleep(0.005);
  think.add(10);
  okRate.add(true);
}

export async function teardown(ctx) {
  await ctx.http.get(URL + '/done?token=' + ctx.data.token);
}
`;

for (const workers of [1, 2]) {
  test(`a JS module script: scenarios, exec, check, group, custom metrics, setup/teardown (workers: ${workers})`, async () => {
    const { srv, done } = await shop();
    try {
      const dir = tempDir();
      const path = join(dir, 'shop.mjs');
      writeFileSync(path, moduleScript(srv.url));
      const r = await runLoad({ script: path, workers });
      const m = r.metrics;
      const count = (tags: Record<string, string>) => (m.aggregate('http_reqs', tags) as CounterSink).sum;
      assert.equal(r.requests, 27, 'setup 1 + browse 20 + buy 5 + teardown 1');
      assert.equal(srv.requests(), 27);
      assert.equal(count({ scenario: 'browse' }), 20);
      assert.equal(
        count({ scenario: 'browse', flow: 'browse', name: 'home' }),
        20,
        'scenario tags and request name tag',
      );
      assert.equal(count({ group: '::checkout', method: 'POST' }), 5);
      assert.deepEqual(done, ['T'], 'teardown saw the setup data');
      const checks = m.aggregate('checks') as RateSink;
      assert.equal(checks.total, 45);
      assert.equal(checks.rate, 1);
      assert.equal((m.aggregate('orders') as CounterSink).sum, 5);
      assert.equal((m.aggregate('think_time') as TrendSink).count, 5);
      assert.equal((m.aggregate('ok_rate') as RateSink).rate, 1);
      assert.ok(r.thresholdsOk, JSON.stringify(r.toJSON().thresholds));
      assert.equal(r.toJSON().metrics.iterations.count, 25);
      assert.ok((m.aggregate('group_duration', { group: '::checkout' }) as TrendSink).histogram.count === 5);
      assert.deepEqual(
        r
          .checks()
          .map((c) => c.name)
          .sort(),
        ['has token', 'order accepted', 'status is 200'],
      );
    } finally {
      await srv.close();
    }
  });
}

test('a TypeScript script is transpiled; iteration errors are counted and reported, not fatal', async () => {
  const srv = await startServer((_u, res) => res.end('ok'));
  try {
    const dir = tempDir();
    const path = join(dir, 'typed.ts');
    writeFileSync(
      path,
      `interface Ctx { http: { get(u: string): Promise<{ status: number }> }; iteration: number }
export const options = { vus: 1, iterations: 6 } as const;
export default async function (ctx: Ctx): Promise<void> {
  const r = await ctx.http.get(${JSON.stringify(srv.url)});
  if (ctx.iteration % 3 === 2) throw new Error('boom ' + r.status);
}
`,
    );
    const r = await runLoad({ script: path });
    assert.equal(r.requests, 6);
    assert.equal(r.toJSON().metrics.iterations.count, 4, 'two iterations threw');
    assert.ok(
      r.extras.warnings?.some((w) => /2 iteration\(s\) threw an error, e.g. "boom 200"/.test(w)),
      JSON.stringify(r.extras.warnings),
    );
  } finally {
    await srv.close();
  }
});

test('bad scripts are exit-2 errors naming the problem', async () => {
  const dir = tempDir();
  const broken = join(dir, 'broken.mjs');
  writeFileSync(broken, 'export default async function (ctx) { return ctx. }');
  await assert.rejects(
    runLoad({ script: broken }),
    (e: PerfloopError) => e.code === 'LOAD_BAD_SCRIPT' && e.exitCode === 2,
  );
  const noExec = join(dir, 'noexec.mjs');
  writeFileSync(
    noExec,
    "export const options = { scenarios: { a: { executor: 'shared-iterations', exec: 'nope' } } };\nexport default async function () {}",
  );
  await assert.rejects(
    runLoad({ script: noExec }),
    (e: PerfloopError) =>
      e.exitCode === 2 && /scenarios\.a\.exec: the script exports no function "nope"/.test(e.message),
  );
  await assert.rejects(
    runLoad({ script: join(dir, 'missing.mjs') }),
    (e: PerfloopError) => e.code === 'LOAD_NO_SCRIPT',
  );
});

test('the declarative YAML form: weighted requests, JSON bodies, baseUrl, checks on status, body and duration', async () => {
  const bodies: string[] = [];
  const srv = await startServer((url, res) => {
    if (url.pathname === '/login') return void res.end('{"token":"abc"}');
    if (url.pathname === '/missing') {
      res.writeHead(404);
      return void res.end('nope');
    }
    res.end('items: 1,2,3');
  });
  srv.server.prependListener('request', (req) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c));
    req.on('end', () => b && bodies.push(b));
  });
  try {
    const dir = tempDir();
    const path = join(dir, 'shop.yaml');
    writeFileSync(
      path,
      `baseUrl: ${srv.url}
vus: 2
iterations: 40
thresholds:
  checks: ["rate>0.5"]
requests:
  - name: login
    method: POST
    url: /login
    json: { user: "u{{seq}}" }
    weight: 1
    checks: { status: 200, body_contains: token }
  - name: items
    url: /items?page={{rand:3}}
    weight: 2
    checks: { status: [200, 304], max_duration: 5s, body_matches: "items: \\\\d" }
  - name: missing
    url: /missing
    weight: 1
    checks: { status: 200 }
`,
    );
    const d = loadDeclarative(path);
    assert.equal(d.requests.length, 3);
    assert.equal(d.requests[0].url, `${srv.url}/login`);
    assert.equal(d.requests[0].headers?.['content-type'], 'application/json');
    const r = await runLoad({ requests: d.requests, options: d.options });
    assert.equal(r.requests, 40);
    const byName = Object.fromEntries(r.checks().map((c) => [c.name, c]));
    assert.equal(byName['status is 200 or 304'].fails, 0);
    assert.equal(byName['body matches /items: \\d/'].fails, 0);
    assert.equal(byName['body contains "token"'].fails, 0);
    assert.equal(byName['duration < 5000ms'].fails, 0);
    const missing = r.endpoints().find((e) => e.name === 'missing')!;
    assert.equal(
      byName['status is 200'].fails,
      missing.count,
      'every /missing response failed its status check',
    );
    assert.ok(missing.count > 0);
    assert.ok(
      bodies.every((b) => /^\{"user":"u\d+"\}$/.test(b)),
      bodies.join(' '),
    );
    assert.ok(r.thresholdsOk);
  } finally {
    await srv.close();
  }
});

test('declarative files are validated with paths', () => {
  const dir = tempDir();
  const path = join(dir, 'bad.yaml');
  writeFileSync(
    path,
    'requests:\n  - url: /relative\n    weight: -1\n    checks: { status: 99, bogus: 1 }\n  - method: 7\n',
  );
  assert.throws(
    () => loadDeclarative(path),
    (e: PerfloopError) => {
      for (const re of [
        /requests\[0\]\.url: must be an absolute/,
        /requests\[0\]\.weight: must be a number > 0/,
        /requests\[0\]\.checks\.status/,
        /requests\[0\]\.checks\.bogus: unknown check/,
        /requests\[1\]\.url: is required/,
        /requests\[1\]\.method/,
      ]) {
        assert.match(e.message, re);
      }
      return e.exitCode === 2;
    },
  );
});
