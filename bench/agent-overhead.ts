/**
 * What does the perfloop Node agent cost the service it watches?
 * (For a few per cent, e.g. the attribution's cost, use bench/agent-overhead-paired.ts: its A/A resolution is ±1 %
 * where this bench's rounds differ by 0.77–1.30 on a busy shared machine.)
 *
 * Usage (from the repo root):
 *   npx tsc -p . && node dist/bench/agent-overhead.js [--rounds 2] [--duration 10] [--warmup 3] [--connections 10]
 *     [--no-profile]   (B without the CPU profiler: the cost of the always-on part alone)
 *     [--attribution on|off|ab]  CPU per request (on by default while profiling); `ab`: A = agent + profile
 *                      with attribution off, B = the same with it on — the cost of the attribution alone
 *     [--async-steps N] awaits per request in the handler (default 0): attribution costs per async callback
 *     [--paired]       run A and B at the same time (each its own server and autocannon) instead of A then B:
 *                      on a busy shared machine the rounds differ 3× in CPU per request; side by side they share it
 *     [--service bare|express]  the server: `bare` node:http (the worst case with --async-steps 4: little work
 *                      between awaits), or `express` (the npm package: a typical service with a router and middleware)
 *
 * Same machine, same run: a small node:http JSON server (a little work per request) is loaded
 * with autocannon (programmatic API) alternately WITHOUT the agent (A) and WITH it (B: agent
 * preloaded, CPU profiling on at 1 ms sampling, samples every 250 ms, request tracking on),
 * A/B/A/B… so drift (thermal, noisy neighbours) hits both sides alike. Each run: fresh server
 * process, autocannon in a worker thread (as perfloop's own load engine runs) so the collector
 * parsing agent messages on the main thread does not starve the load generator; `--warmup` s of
 * load (discarded), then `--duration` s measured. Prints req/s, p99 and
 * the server's CPU time per request (from /proc, Linux) per run, then the overhead: mean B vs
 * mean A of each. On a shared machine req/s swings with the neighbours; CPU per request is the
 * steadier measure of what the agent itself costs.
 * Only 127.0.0.1 is ever targeted.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentCollector } from '../src/agent/collector.js';
import { benchServerSource, startBenchServer, stopBenchServer } from './lib/agent-bench-servers.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface RunResult {
  label: string;
  reqPerSec: number;
  p99Ms: number;
  /** Server CPU time per request: far less sensitive to noisy neighbours than req/s. */
  cpuUsPerReq: number | null;
  errors: number;
  profileSamples?: number;
  agentSamples?: number;
  /** Requests the agent charged CPU to (attribution on). */
  timedRequests?: number;
}

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '6' },
    service: { type: 'string', default: 'bare' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    /** --no-profile: agent attached (samples, request tracking) but no CPU profiler. */
    profile: { type: 'boolean', default: true },
    attribution: { type: 'string', default: 'on' },
    'async-steps': { type: 'string', default: '0' },
    /** Both sides at once, loaded side by side: on a shared, busy host the neighbours hit both alike. */
    paired: { type: 'boolean', default: false },
  },
  allowNegative: true,
});
const rounds = Number(flags.rounds);
const duration = Number(flags.duration);
const warmup = Number(flags.warmup);
const connections = Number(flags.connections);
const attribution = flags.attribution;
if (!['on', 'off', 'ab'].includes(attribution)) {
  console.error(`--attribution: expected on, off or ab, got ${JSON.stringify(attribution)}`);
  process.exit(2);
}
const asyncSteps = Number(flags['async-steps']);
if (!['bare', 'express'].includes(flags.service)) {
  console.error(`--service: expected bare or express, got ${JSON.stringify(flags.service)}`);
  process.exit(2);
}
/** The agent's env for the request-CPU attribution (protocol.ts AGENT_REQUEST_CPU_ENV). */
const attributionEnv = (on: boolean) => ({ PERFLOOP_AGENT_REQUEST_CPU: on ? '1' : '0' });

// autocannon ships no type declarations: import it through a string-typed specifier.
const autocannonModule: string = 'autocannon';
const autocannon = ((await import(autocannonModule)) as { default: Autocannon }).default;

const dir = mkdtempSync(join(tmpdir(), 'perfloop-bench-agent-'));
writeFileSync(join(dir, 'server.mjs'), benchServerSource(flags.service as 'bare' | 'express'));

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const { child, port } = await startBenchServer(dir, { ASYNC_STEPS: String(asyncSteps), ...env });
  return { child, url: `http://127.0.0.1:${port}/api/items?page=1` };
}

/** utime+stime of a process in ms from /proc (Linux); null elsewhere. */
function cpuTimeMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The measured window: load, with the server's CPU time read around it. */
async function measure(url: string, pid: number): Promise<Omit<RunResult, 'label'>> {
  const cpuBefore = cpuTimeMs(pid);
  const r = await autocannon({ url, connections, duration, workers: 1 });
  const cpuAfter = cpuTimeMs(pid);
  const cpuUsPerReq =
    cpuBefore === null || cpuAfter === null || r.requests.total === 0
      ? null
      : ((cpuAfter - cpuBefore) * 1000) / r.requests.total;
  return { reqPerSec: r.requests.average, p99Ms: r.latency.p99, errors: r.errors + r.non2xx, cpuUsPerReq };
}

const stopServer = stopBenchServer;

/** One side of the comparison, started and ready for load; `finish` collects what the agent saw and stops it. */
interface Prepared {
  url: string;
  pid: number;
  /** Between warm-up and the measured window. */
  beginWindow(): void;
  finish(): Promise<Partial<RunResult>>;
  stop(): Promise<void>;
}
interface Side {
  label: string;
  prepare(): Promise<Prepared>;
}

const withoutAgent: Side = {
  label: 'A (no agent)',
  async prepare() {
    const { child, url } = await startServer({});
    return {
      url,
      pid: child.pid!,
      beginWindow() {},
      finish: async () => ({}),
      stop: () => stopServer(child),
    };
  },
};

function withAgent(label: string, withAttribution: boolean): Side {
  return {
    label,
    async prepare() {
      const collector = await AgentCollector.listen({ sampleMs: 250 });
      const { child, url } = await startServer({
        ...collector.targetEnv(''),
        ...attributionEnv(withAttribution),
      });
      const stop = async () => {
        await stopServer(child);
        await collector.close();
      };
      try {
        await collector.waitForAgent(10_000);
        if (flags.profile) await collector.startProfile(1000);
      } catch (e) {
        await stop();
        throw e;
      }
      return {
        url,
        pid: child.pid!,
        beginWindow: () => collector.clearWindow(),
        async finish() {
          const profilePath = join(dir, `${child.pid}.cpuprofile`);
          let samples = 0;
          if (flags.profile) {
            samples = (await collector.stopProfile(profilePath)).samples;
            statSync(profilePath);
          }
          return {
            timedRequests: collector.requests.filter((r) => typeof r.cpuMs === 'number').length,
            profileSamples: samples,
            agentSamples: collector.samples.length,
          };
        },
        stop,
      };
    },
  };
}

/** Sides one after the other (A, then B), or — `--paired` — both at once under the same neighbours. */
async function runRound(sides: Side[], paired: boolean): Promise<RunResult[]> {
  const one = async (side: Side, p: Prepared) => {
    await autocannon({ url: p.url, connections, duration: warmup, workers: 1 });
    p.beginWindow();
    const measured = await measure(p.url, p.pid);
    return { label: side.label, ...measured, ...(await p.finish()) };
  };
  if (!paired) {
    const out: RunResult[] = [];
    for (const side of sides) {
      const p = await side.prepare();
      try {
        out.push(await one(side, p));
      } finally {
        await p.stop();
      }
    }
    return out;
  }
  const prepared = await Promise.all(sides.map((s) => s.prepare()));
  try {
    return await Promise.all(sides.map((s, i) => one(s, prepared[i])));
  } finally {
    await Promise.all(prepared.map((p) => p.stop()));
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

try {
  console.log(
    `agent overhead: node ${process.version}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}; ` +
      `${connections} connections, ${warmup} s warm-up + ${duration} s measured, ${rounds} A/B rounds, ` +
      `service ${flags.service}, attribution ${attribution}, ${asyncSteps} async steps per request` +
      `${flags.paired ? ', A and B side by side' : ', A/B order alternating per round'}; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  const sides: Side[] =
    attribution === 'ab'
      ? [withAgent('A (agent, attribution off)', false), withAgent('B (agent, attribution on)', true)]
      : [withoutAgent, withAgent(`B (agent, attribution ${attribution})`, attribution === 'on')];
  const results: RunResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate which side goes first, so a trend over the run does not favour one side.
    const order = flags.paired || round % 2 === 1 ? sides : [...sides].reverse();
    for (const r of await runRound(order, flags.paired)) {
      results.push(r);
      const extra =
        r.profileSamples === undefined
          ? ''
          : `  (cpuprofile samples ${r.profileSamples}, agent samples ${r.agentSamples}, requests with CPU ${r.timedRequests})`;
      const cpu = r.cpuUsPerReq === null ? 'n/a' : r.cpuUsPerReq.toFixed(1);
      console.log(
        `round ${round} ${r.label.padEnd(27)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s   ` +
          `p99 ${String(r.p99Ms).padStart(4)} ms   CPU ${cpu.padStart(6)} µs/req   errors ${r.errors}${extra}   ` +
          `load ${loadavg()[0].toFixed(2)}`,
      );
    }
  }
  const a = results.filter((r) => r.label.startsWith('A'));
  const b = results.filter((r) => r.label.startsWith('B'));
  const ratio = (pick: (r: RunResult) => number) => mean(b.map(pick)) / mean(a.map(pick));
  const throughput = ratio((r) => r.reqPerSec);
  // autocannon reports latency in whole ms: a 0 → 1 ms p99 step reads as "2x", so read it with care.
  const p99 = ratio((r) => r.p99Ms);
  const cpu = results.every((r) => r.cpuUsPerReq !== null) ? ratio((r) => r.cpuUsPerReq!) : null;
  // Per round (the two sides of a round ran closest in time, side by side with --paired): the steadier figure.
  const perRound: number[] = [];
  for (let i = 0; i + 1 < results.length; i += 2) {
    const [x, y] = [results[i], results[i + 1]];
    const [ra, rb] = x.label.startsWith('A') ? [x, y] : [y, x];
    if (ra.cpuUsPerReq && rb.cpuUsPerReq) perRound.push(rb.cpuUsPerReq / ra.cpuUsPerReq);
  }
  const sorted = [...perRound].sort((p, q) => p - q);
  const q = (f: number) => sorted[Math.round(f * (sorted.length - 1))];
  // The headline: the median of the per-round ratios (one noisy round moves it little), with its spread.
  if (perRound.length)
    console.log(
      `server CPU per request B/A per round: ${perRound.map((x) => x.toFixed(3)).join(', ')}\n` +
        `MEDIAN B/A ${q(0.5).toFixed(3)} (${((q(0.5) - 1) * 100).toFixed(1)} %) over ${sorted.length} rounds; ` +
        `quartiles ${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}, range ${sorted[0].toFixed(3)}–${sorted.at(-1)!.toFixed(3)}`,
    );
  console.log(
    `overhead: throughput B/A = ${throughput.toFixed(3)} (${((1 - throughput) * 100).toFixed(1)} % fewer req/s), ` +
      (Number.isFinite(p99) ? `p99 B/A = ${p99.toFixed(2)}x` : 'p99 A below 1 ms resolution') +
      (cpu === null
        ? ''
        : `, server CPU per request B/A = ${cpu.toFixed(3)} (+${((cpu - 1) * 100).toFixed(1)} %)`) +
      `; load average now ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
