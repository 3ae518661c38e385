import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startUiServer } from '../../src/ui/server.js';
import { exportRun } from '../../src/ui/export.js';
import { cliPath, tempDir } from '../helpers.js';
import { EVIL, fixtureStore } from './fixture-store.js';

const RUNS = [
  { label: 'baseline', latencyMs: 120 },
  { label: 'batch order query', latencyMs: 60 },
  { label: 'index orders', latencyMs: 30 },
];

test('GET /api/runs is perfloop runs --json; /api/runs/<id> is the report.json; pages list the runs they show', async () => {
  const dir = tempDir();
  const { storePath, ids } = fixtureStore(dir, RUNS);
  const ui = await startUiServer({ storePath, port: 0 });
  try {
    const api = await (await fetch(`${ui.url}api/runs`)).text();
    const cli = execFileSync(process.execPath, [cliPath, 'runs', '--json', '--store', storePath], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(api), JSON.parse(cli));
    const one = await (await fetch(`${ui.url}api/runs/${ids[1]}`)).json();
    assert.deepEqual(one, JSON.parse(readFileSync(join(dir, ids[1], 'report.json'), 'utf8')));

    const root = await (await fetch(ui.url)).text();
    for (const r of RUNS) assert.ok(root.includes(r.label), `Runs page shows ${r.label}`);
    const run = await fetch(`${ui.url}runs/${ids[0]}`);
    assert.equal(run.status, 200);
    assert.match(run.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const runHtml = await run.text();
    assert.ok(runHtml.includes('baseline') && runHtml.includes('serializeOrders'), 'run page: label and hot function');
    assert.ok(runHtml.includes(`/runs/${ids[0]}/artifacts/flame`), 'run page embeds the flame graph');
    const cmp = await (await fetch(`${ui.url}compare/${ids[0]}/${ids[2]}`)).text();
    assert.ok(cmp.includes('baseline') && cmp.includes('index orders') && cmp.includes('p95 latency'));
    const scenarioHref = /href="(\/scenarios\/[^"]+)"/.exec(root)![1];
    const sc = await (await fetch(`${ui.url}${scenarioHref.slice(1)}`)).text();
    for (const r of RUNS) assert.ok(sc.includes(r.label), `Scenario page shows ${r.label}`);

    // Filters and pagination.
    const filtered = await (await fetch(`${ui.url}?label=batch`)).text();
    assert.ok(filtered.includes('batch order query') && !filtered.includes(`>${ids[0]}<`));
  } finally {
    await ui.close();
  }
});

test('unknown runs and artifacts are 404; artifact names never reach the file system as paths', async () => {
  const { storePath, ids } = fixtureStore(tempDir(), RUNS.slice(0, 1));
  const ui = await startUiServer({ storePath, port: 0 });
  try {
    const missing = await fetch(`${ui.url}runs/no-such-run`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /Not found/);
    assert.equal((await fetch(`${ui.url}api/runs/no-such-run`)).status, 404);
    // Sent raw (fetch would normalise the dots away before the server saw them).
    for (const evil of ['..%2f..%2f..%2fetc%2fpasswd', '%2fetc%2fpasswd', 'x%2f..%2f..%2freport.json', 'report-json%00', '../../../../etc/passwd']) {
      const r = await rawGet(ui.url, `/runs/${ids[0]}/artifacts/${evil}`);
      assert.ok(r.status === 404 || r.status === 400, `${evil}: ${r.status}`);
      assert.doesNotMatch(r.body, /root:/);
    }
    const flame = await fetch(`${ui.url}runs/${ids[0]}/artifacts/flame`);
    assert.equal(flame.status, 200);
    // The flame viewer's own inline script is allowed by its hash, nothing else.
    assert.match(flame.headers.get('content-security-policy') ?? '', /script-src 'sha256-[^']+'/);
    assert.doesNotMatch(flame.headers.get('content-security-policy') ?? '', /script-src[^;]*unsafe-inline/);
    assert.equal((await fetch(`${ui.url}api/runs`, { method: 'DELETE' })).status, 405);
  } finally {
    await ui.close();
  }
});

test('every label, URL, function name and SQL text is escaped in every page and the export', async () => {
  const dir = tempDir();
  const { storePath, ids } = fixtureStore(dir, RUNS.slice(0, 2), true);
  const ui = await startUiServer({ storePath, port: 0 });
  const pages = ['', `runs/${ids[1]}`, `compare/${ids[0]}/${ids[1]}`, 'live'];
  try {
    const root = await (await fetch(ui.url)).text();
    pages.push(/href="\/(scenarios\/[^"]+)"/.exec(root)![1]);
    for (const p of pages) {
      const html = await (await fetch(`${ui.url}${p}`)).text();
      assert.ok(!html.includes('<img src=x'), `page /${p} contains raw markup`);
      assert.ok(!/onerror="window/.test(html), `page /${p} contains the raw handler`);
      if (p.startsWith('runs/')) assert.ok(html.includes('&#60;/script&#62;&#60;img src=x onerror='), 'the text is there, escaped');
    }
  } finally {
    await ui.close();
  }
  const out = join(dir, 'export');
  await exportRun(storePath, ids[1], out);
  for (const f of ['index.html', 'scenario.html', 'compare.html']) {
    const html = readFileSync(join(out, f), 'utf8');
    assert.ok(!html.includes('<img src=x'), `${f} contains raw markup`);
  }
  assert.ok(!readFileSync(join(dir, ids[1], 'report.html'), 'utf8').includes('<img src=x'), 'report.html');
});

test('perfloop report RUN --html DIR writes index.html, its assets and artifacts; bad input is one line, exit 2', () => {
  const dir = tempDir();
  const { storePath, ids } = fixtureStore(dir, RUNS.slice(0, 2));
  const out = join(dir, 'site');
  const stdout = execFileSync(process.execPath, [cliPath, 'report', 'latest', '--html', out, '--store', storePath], { encoding: 'utf8' });
  assert.equal(stdout.trim(), join(out, 'index.html'));
  for (const f of ['index.html', 'scenario.html', 'compare.html', 'flame-diff.html', 'assets/uplot.js', 'assets/page.js', 'artifacts/flame.html'])
    assert.ok(existsSync(join(out, f)), f);
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  assert.ok(index.includes('batch order query') && index.includes('src="assets/uplot.js"') && !/https?:\/\/(?!127\.0\.0\.1)/.test(index.replace(/http:\/\/127\.0\.0\.1[^\s"<]*/g, '')));
  assert.ok(index.includes('artifacts/flame.html'));
  void ids;
  for (const [args, re] of [
    [['report', 'nope', '--html', out, '--store', storePath], /no stored run nope/],
    [['report', 'latest', '--store', storePath], /--html DIR is required/],
    [['report', 'latest', '--html', out, '--store', join(dir, 'missing.db')], /no run store/],
  ] as const) {
    const r = spawnSyncCli(args as unknown as string[]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length <= 2, true, 'one line (and a hint), no stack');
  }
});

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

function spawnSyncCli(args: string[]) {
  try {
    const stdout = execFileSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, stderr: '', stdout };
  } catch (e) {
    const x = e as { status: number; stderr: string };
    return { status: x.status, stderr: String(x.stderr) };
  }
}

test('perfloop ui prints its URL when ready and stops on SIGINT', async () => {
  const { storePath } = fixtureStore(tempDir(), RUNS.slice(0, 1));
  const child = spawn(process.execPath, [cliPath, 'ui', '--port', '0', '--store', storePath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^perfloop ui: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`ui exited ${code}`)));
  });
  assert.equal((await fetch(url)).status, 200);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const t0 = Date.now();
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.ok(Date.now() - t0 < 5000, 'stops promptly');
  void EVIL;
});

test('load --dashboard local serves its own Live page during the run and stops it at the end', async () => {
  const target = await startUiServer({ storePath: join(tempDir(), 'target.db'), port: 0 }); // any local HTTP server
  try {
    const child = spawn(process.execPath, [cliPath, 'load', `${target.url}api/runs`, '-c', '1', '-d', '4s', '-q', '--dashboard', 'local'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d;
        const m = /live dashboard: (http:\/\/127\.0\.0\.1:\d+\/)live/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`exited before printing its dashboard: ${err}`)));
    });
    // Readiness is the load's own progress reaching the page: poll until a second has been reported.
    let view: { text: Record<string, string>; charts: { x: number[] }[] } | undefined;
    for (let i = 0; i < 600 && !(view && view.charts[0].x.length > 0); i++) {
      view = (await (await fetch(`${url}api/live`)).json()) as typeof view;
      if (!(view && view.charts[0].x.length > 0)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(view && view.charts[0].x.length > 0, JSON.stringify(view?.text));
    assert.match(view.text.title, /perfloop load/);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0, err);
    await assert.rejects(fetch(`${url}api/live`), 'the dashboard stops with the run');
  } finally {
    await target.close();
  }
});
