import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CounterSink, RateSink, TrendSink } from '../../../src/core/metric.js';
import { runLoad } from '../../../src/load/engine.js';
import { cliPath, tempDir } from '../../helpers.js';
import { startK6Server } from './k6-server.js';
import { delayed, startServer } from '../servers.js';

function script(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const failed = (r: Awaited<ReturnType<typeof runLoad>>, filter: Record<string, string> = {}) =>
  r.metrics.aggregate('http_req_failed', filter) as RateSink;

test('http_req_failed follows http.setResponseCallback and params.responseCallback (k6: expected_response)', async () => {
  const srv = await startK6Server();
  const dir = tempDir();
  try {
    const body = (setup: string) => `import http from 'k6/http';
${setup}
export const options = { vus: 1, iterations: 1 };
export default function () {
  http.get('${srv.url}/status?code=404');
  http.get('${srv.url}/status?code=200');
  http.get('${srv.url}/status?code=201', { responseCallback: http.expectedStatuses(200) });
}
`;
    const byDefault = await runLoad({ script: script(dir, 'default.js', body('')) });
    assert.equal(failed(byDefault).passes, 2, 'the 404 (k6 default 200–399) and the 201 its own callback rejects');
    assert.equal(failed(byDefault, { status: '200' }).passes, 0);
    assert.equal(failed(byDefault, { status: '201' }).passes, 1, 'params.responseCallback: 201 not expected');

    const custom = await runLoad({ script: script(dir, 'custom.js', body("http.setResponseCallback(http.expectedStatuses(200, { min: 400, max: 404 }));")) });
    assert.equal(failed(custom, { status: '404' }).passes, 0, '404 is expected under the callback');
    assert.equal(failed(custom, { status: '201' }).passes, 1);
    assert.equal((custom.metrics.aggregate('http_reqs', { expected_response: 'true' }) as CounterSink).sum, 2);
    assert.equal((custom.metrics.aggregate('http_reqs', { expected_response: 'false' }) as CounterSink).sum, 1);

    const none = await runLoad({ script: script(dir, 'none.js', body('http.setResponseCallback(null);').replace(", { responseCallback: http.expectedStatuses(200) }", '')) });
    assert.equal(failed(none).passes, 0, 'null: no response counts as failed');
  } finally {
    await srv.close();
  }
});

test("scenario env is __ENV for that scenario's VUs only; the process environment underneath", async () => {
  const srv = await startK6Server();
  const dir = tempDir();
  process.env.K6_SEM_SHARED = 'from-process';
  try {
    const path = script(dir, 'env.js', `import http from 'k6/http';
export const options = {
  scenarios: {
    eu: { executor: 'per-vu-iterations', vus: 1, iterations: 2, env: { REGION: 'eu' } },
    us: { executor: 'per-vu-iterations', vus: 1, iterations: 2, env: { REGION: 'us' } },
    plain: { executor: 'per-vu-iterations', vus: 1, iterations: 1 },
  },
};
export default function () {
  http.get('${srv.url}/' + (__ENV.REGION || 'none') + '/' + __ENV.K6_SEM_SHARED);
}
`);
    await runLoad({ script: path });
    assert.deepEqual([...srv.paths].sort(), ['/eu/from-process', '/eu/from-process', '/none/from-process', '/us/from-process', '/us/from-process']);
  } finally {
    delete process.env.K6_SEM_SHARED;
    await srv.close();
  }
});

test('noConnectionReuse opens a connection per request; by default a VU keeps one; blocked covers the dial', async () => {
  const srv = await startServer(delayed(0));
  let connections = 0;
  srv.server.on('connection', () => connections++);
  const dir = tempDir();
  try {
    const text = (extra: string) => `import http from 'k6/http';
export const options = { vus: 1, iterations: 10${extra} };
export default function () { http.get('${srv.url}/'); }
`;
    const reuse = await runLoad({ script: script(dir, 'reuse.js', text('')) });
    assert.equal(connections, 1, 'one keep-alive connection for the VU');
    const blocked = reuse.metrics.aggregate('http_req_blocked') as TrendSink;
    const connecting = reuse.metrics.aggregate('http_req_connecting') as TrendSink;
    assert.equal(blocked.count, 10);
    assert.ok(blocked.max > 0, 'blocked is measured');
    assert.ok(blocked.max >= connecting.max, `the first request's blocked (${blocked.max}) includes its dial (${connecting.max})`);
    connections = 0;
    await runLoad({ script: script(dir, 'fresh.js', text(', noConnectionReuse: true')) });
    assert.equal(connections, 10, 'a new connection for every request');
  } finally {
    await srv.close();
  }
});

test('--http-debug prints headers; --http-debug=full adds the bodies', async () => {
  const srv = await startK6Server();
  const dir = tempDir();
  try {
    const path = script(dir, 'debug.js', `import http from 'k6/http';
export const options = { vus: 1, iterations: 1 };
export default function () { http.get('${srv.url}/items'); }
`);
    const run = (flag: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(process.execPath, [cliPath, 'load', path, flag, '-q'], (err, _out, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        ),
      );
    const headers = await run('--http-debug');
    assert.equal(headers.code, 0, headers.stderr);
    assert.match(headers.stderr, /GET \/items HTTP\/1\.1/);
    assert.match(headers.stderr, /Content-Type: application\/json/);
    assert.doesNotMatch(headers.stderr, /"total":2/);
    const full = await run('--http-debug=full');
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stderr, /"total":2/);
  } finally {
    await srv.close();
  }
});
