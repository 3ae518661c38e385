/**
 * What does the agent (and its per-request CPU attribution) cost, measured so that a few per cent can be told
 * from a busy shared machine's noise? Two servers side by side — A and B, each one of lib/overhead-sides.ts's
 * configurations — pinned to the same CPU (taskset), loaded by one generator that alternates requests between
 * them (lib/alternating-load.ts: same count, interleaved in time), and each one's CPU per request read from /proc
 * (scheduler nanoseconds of all its threads) over many short rounds. Whatever else the machine does in a round
 * hits both alike; the per-round ratio B/A is the figure, its median and spread over all rounds the headline.
 * Run it with the same kind on both sides (A/A) to see the bench's resolution.
 *
 * Usage (from the repo root, under the shared benchmark lock):
 *   npx tsc -p . && flock /tmp/perfloop-bench.lock nice -n 5 node dist/bench/agent-overhead-paired.js \
 *     --a agent --b attr [--service bare|express] [--async-steps 4] [--sessions 3] [--rounds 10] [--round-s 1.5]
 *     [--warmup-s 3] [--lanes 8] [--server-cpu 1] [--load-cpu 0]
 * Kinds: none, agent, attr, als, tracker, hooks, clock (lib/overhead-sides.ts says what each is).
 * Each session starts fresh servers (process-level luck, e.g. JIT decisions, differs between sessions), warms them
 * up, then runs its rounds; the order of A and B in each lane flips every round. Only 127.0.0.1 is targeted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startAlternatingLoad } from './lib/alternating-load.js';
import {
  benchServerSource,
  startBenchServer,
  stopBenchServer,
  type BenchService,
} from './lib/agent-bench-servers.js';
import { setUpSide, SIDE_KINDS, type SideKind } from './lib/overhead-sides.js';
import { processCpuNs } from './lib/proc-cpu.js';

const { values: flags } = parseArgs({
  options: {
    a: { type: 'string', default: 'agent' },
    b: { type: 'string', default: 'attr' },
    service: { type: 'string', default: 'bare' },
    'async-steps': { type: 'string', default: '4' },
    sessions: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '10' },
    'round-s': { type: 'string', default: '1.5' },
    'warmup-s': { type: 'string', default: '3' },
    lanes: { type: 'string', default: '8' },
    'server-cpu': { type: 'string', default: '1' },
    'load-cpu': { type: 'string', default: '0' },
  },
});
const kinds = [flags.a, flags.b] as SideKind[];
for (const k of kinds) {
  if (!(k in SIDE_KINDS)) {
    console.error(`--a/--b: expected one of ${Object.keys(SIDE_KINDS).join(', ')}, got ${JSON.stringify(k)}`);
    process.exit(2);
  }
}
if (!['bare', 'express'].includes(flags.service)) {
  console.error(`--service: expected bare or express, got ${JSON.stringify(flags.service)}`);
  process.exit(2);
}
const [sessions, rounds, roundS, warmupS, lanes] = [
  flags.sessions,
  flags.rounds,
  flags['round-s'],
  flags['warmup-s'],
  flags.lanes,
].map(Number);
const load1 = () => loadavg()[0].toFixed(2);

// The generator (this process, with the agents' collectors) on one CPU, both servers on the other.
execFileSync('taskset', ['-a', '-pc', flags['load-cpu'], String(process.pid)], { stdio: 'ignore' });

const dir = mkdtempSync(join(tmpdir(), 'perfloop-bench-paired-'));
writeFileSync(join(dir, 'server.mjs'), benchServerSource(flags.service as BenchService));

const startServer = (env: Record<string, string>) =>
  startBenchServer(dir, { ASYNC_STEPS: flags['async-steps'], ...env }, [
    'taskset',
    '-c',
    flags['server-cpu'],
  ]);
const stopServer = stopBenchServer;

const ratios: number[] = [];
const perSide: [number[], number[]] = [[], []];
const sessionMedians: number[] = [];

const quantile = (xs: number[], f: number) => {
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.round(f * (s.length - 1))];
};

async function session(n: number): Promise<void> {
  const setups = await Promise.all(kinds.map((k) => setUpSide(k, dir)));
  // exec: taskset replaces itself with node, so the child's pid is the server's.
  const servers = await Promise.all(setups.map((s) => startServer(s.env)));
  try {
    await Promise.all(setups.map((s) => s.begin()));
    const load = await startAlternatingLoad(
      [
        { port: servers[0].port, path: '/api/items?page=1' },
        { port: servers[1].port, path: '/api/items?page=1' },
      ],
      lanes,
    );
    await sleep(warmupS * 1000);
    const mine: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      load.firstSide = (r % 2) as 0 | 1;
      const cpu0 = servers.map((s) => processCpuNs(s.child.pid!));
      const count0 = [...load.completed];
      await sleep(roundS * 1000);
      const cpu1 = servers.map((s) => processCpuNs(s.child.pid!));
      const count1 = [...load.completed];
      const us = [0, 1].map((i) => (cpu1[i]! - cpu0[i]!) / 1000 / (count1[i] - count0[i]));
      const ratio = us[1] / us[0];
      ratios.push(ratio);
      mine.push(ratio);
      perSide[0].push(us[0]);
      perSide[1].push(us[1]);
      console.log(
        `session ${n} round ${String(r).padStart(2)}  A ${us[0].toFixed(1).padStart(6)} µs/req  B ${us[1].toFixed(1).padStart(6)} µs/req` +
          `  (${count1[0] - count0[0]} req each)  B/A ${ratio.toFixed(3)}  load ${load1()}`,
      );
    }
    await load.stop();
    if (load.failures > 0) console.log(`session ${n}: ${load.failures} failed responses`);
    sessionMedians.push(quantile(mine, 0.5));
    for (const [i, s] of setups.entries()) {
      const said = await s.end(join(dir, `${n}-${i}.cpuprofile`));
      if (said) console.log(`session ${n} ${i === 0 ? 'A' : 'B'}: ${said}`);
    }
  } finally {
    await Promise.all(servers.map((s) => stopServer(s.child)));
    await Promise.all(setups.map((s) => s.close()));
  }
}

try {
  console.log(
    `agent overhead, paired: node ${process.version}, ${cpus().length} CPU(s); servers on CPU ${flags['server-cpu']}, ` +
      `generator on CPU ${flags['load-cpu']}; service ${flags.service}, ${flags['async-steps']} async steps; ` +
      `${sessions} sessions × ${rounds} rounds of ${roundS} s (${warmupS} s warm-up), ${lanes} lanes; load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\n` +
      `A = ${kinds[0]}: ${SIDE_KINDS[kinds[0]]}\nB = ${kinds[1]}: ${SIDE_KINDS[kinds[1]]}`,
  );
  for (let n = 1; n <= sessions; n++) await session(n);
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)} %`;
  console.log(
    `A median ${quantile(perSide[0], 0.5).toFixed(1)} µs/req, B median ${quantile(perSide[1], 0.5).toFixed(1)} µs/req\n` +
      `session medians B/A: ${sessionMedians.map((x) => x.toFixed(3)).join(', ')}\n` +
      `MEDIAN B/A ${quantile(ratios, 0.5).toFixed(3)} (${pct(quantile(ratios, 0.5))}) over ${ratios.length} rounds; ` +
      `quartiles ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, ` +
      `range ${quantile(ratios, 0).toFixed(3)}–${quantile(ratios, 1).toFixed(3)}; load now ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
