/**
 * CPU per request on a busy host: a CPU hog pinned with taskset to the core this test's main thread (the server's)
 * is pinned to makes every stretch of request code wait for the core about half the time. The clock's wall time
 * would double; the CPU profile's samples (agent/sampled-cpu.ts) charge what the code actually ran. The server is
 * this test's own process (node --test runs each file in its own), profiled by its own inspector as the agent does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { RequestTracker } from '../../src/agent/request-context.js';
import { hrtimeOffsetMs } from '../../src/agent/sampled-cpu.js';

/** CPU ms of this process (all threads; the main thread's spin is nearly all of it). */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Burns `ms` of CPU time (not wall time: on a busy host it takes longer). */
function burnCpu(ms: number): number {
  const end = cpuNow() + ms;
  let x = 0;
  while (cpuNow() < end) for (let i = 0; i < 2000; i++) x += Math.sqrt(i + (x % 7));
  return x;
}
/** The main thread's own CPU time so far (ms), from /proc: the hog must have slowed it. */
const procCpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

const canPin = process.platform === 'linux' && spawnSync('taskset', ['-V']).status === 0;

test('CPU per request is CPU time: a hog on the server core neither inflates a light endpoint nor the heavy one; the heavy keeps ≥ 90 %', { skip: canPin ? false : 'needs Linux and taskset (util-linux)' }, async (t) => {
  const core = String(process.pid % 2 === 0 ? 0 : Math.min(1, (await import('node:os')).cpus().length - 1));
  assert.equal(spawnSync('taskset', ['-p', '-c', core, String(process.pid)]).status, 0, 'pin the main thread');
  const hog = spawn('taskset', ['-c', core, process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' });
  const tracker = new RequestTracker();
  tracker.install();
  const server = http.createServer(async (req, res) => {
    const [c0, t0] = [cpuNow(), performance.now()];
    burnCpu(req.url === '/heavy' ? 80 : 0.3);
    const own = { cpuMs: cpuNow() - c0, wallMs: performance.now() - t0 };
    await new Promise((r) => setImmediate(r));
    res.end(JSON.stringify(own));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const get = (path: string) =>
    new Promise<{ cpuMs: number; wallMs: number }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve(JSON.parse(body)));
      }).on('error', reject);
    });
  const session = new Session();
  session.connect();
  try {
    // Ready when the hog has burnt CPU (it started and runs).
    while (procCpuMs(hog.pid!) < 50) await new Promise((r) => setImmediate(r));
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
    tracker.cpu.enable(1);
    const own: Record<string, { cpuMs: number; wallMs: number }[]> = { '/heavy': [], '/light': [] };
    for (let round = 0; round < 4; round++) {
      const paths = ['/heavy', ...Array.from({ length: 8 }, () => '/light')];
      const answers = await Promise.all(paths.map((p) => get(p)));
      answers.forEach((a, i) => own[paths[i]].push(a));
    }
    await get('/light'); // the others' 'finish' has been recorded
    tracker.cpu.disable();
    const { profile } = await session.post('Profiler.stop');
    const wallCharged = new Map(tracker['pending'].map((r) => [r.id, r.cpuMs]));
    tracker.applySampledCpu(profile, hrtimeOffsetMs());
    const timed = tracker.drain().filter((r) => typeof r.cpuMs === 'number');
    const heavy = timed.filter((r) => r.url === '/heavy');
    const light = timed.filter((r) => r.url === '/light');
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const heavyOwn = sum(own['/heavy'].map((a) => a.cpuMs));
    const heavyWall = sum(own['/heavy'].map((a) => a.wallMs));
    const heavyCharged = sum(heavy.map((r) => r.cpuMs!));
    const lightCharged = sum(light.map((r) => r.cpuMs!));
    const lightOwnMean = sum(own['/light'].map((a) => a.cpuMs)) / own['/light'].length;
    const note =
      `heavy: own CPU ${heavyOwn.toFixed(1)} ms, wall ${heavyWall.toFixed(1)} ms, charged ${heavyCharged.toFixed(1)} ms ` +
      `(clock's wall ${sum(heavy.map((r) => wallCharged.get(r.id)!)).toFixed(1)}); light: own CPU ${lightOwnMean.toFixed(2)} ms/request, ` +
      `charged ${(lightCharged / light.length).toFixed(2)} ms/request (clock's wall ${(sum(light.map((r) => wallCharged.get(r.id)!)) / light.length).toFixed(2)})`;
    t.diagnostic(note);
    assert.equal(heavy.length, 4, note);
    assert.ok(heavyWall > 1.4 * heavyOwn, `the hog must share the core for this test to mean anything: ${note}`);
    // Samples undercount a little where the sampler thread itself waits for a core; never the wall's ~2×.
    assert.ok(heavyCharged <= 1.25 * heavyOwn && heavyCharged >= 0.5 * heavyOwn, note);
    assert.ok((100 * heavyCharged) / (heavyCharged + lightCharged) >= 90, note);
    // A light request's stretch that waited for a slice is charged its samples (0–2), not the slice.
    assert.ok(lightCharged / light.length <= Math.max(1.5, 4 * lightOwnMean), note);
  } finally {
    hog.kill('SIGKILL');
    tracker.cpu.disable();
    session.disconnect();
    agent.destroy();
    server.close();
  }
});
