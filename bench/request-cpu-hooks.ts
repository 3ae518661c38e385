/**
 * What does charging CPU to requests (RequestCpuClock: async_hooks before/after) cost per request, apart from
 * everything else? In one process, so a busy shared host's noise hits both sides alike: a request-shaped
 * async function (N awaits of a promise and a setImmediate, then ~`--work` iterations of arithmetic) runs
 * 20,000 times inside an AsyncLocalStorage context (as the agent's request tracking does), alternately with the
 * clock off (A) and on (B), `--rounds` times each in A B / B A order; CPU time from process.cpuUsage. Prints the medians and B/A.
 *
 * Usage: npx tsc -p . && node dist/bench/request-cpu-hooks.js [--rounds 8] [--steps 4] [--work 2000]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { RequestCpuClock, type CpuAccount } from '../src/agent/request-cpu.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    steps: { type: 'string', default: '4' },
    work: { type: 'string', default: '2000' },
  },
});
const rounds = Number(values.rounds);
const steps = Number(values.steps);
const work = Number(values.work);
const store = new AsyncLocalStorage<CpuAccount>();
const clock = new RequestCpuClock();

async function request(): Promise<number> {
  for (let i = 0; i < steps; i++) {
    await Promise.resolve(i);
    await new Promise((r) => setImmediate(r));
  }
  let x = 0;
  for (let i = 0; i < work; i++) x += Math.sqrt(i);
  return x;
}

async function batch(n: number): Promise<number> {
  const t0 = process.cpuUsage();
  const all: Promise<number>[] = [];
  for (let i = 0; i < n; i++) {
    // As the agent's emit('request') wrapper does: the clock enters the request, the store runs it.
    const account = { cpuMs: 0, seq: i };
    clock.enter(account);
    try {
      all.push(store.run(account, request));
    } finally {
      clock.exit();
    }
  }
  await Promise.all(all);
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const a: number[] = [];
const b: number[] = [];
await batch(5000); // warm-up: JIT
const withClock = async () => {
  clock.enable();
  try {
    return await batch(20_000);
  } finally {
    clock.disable();
  }
};
// A B, then B A: whichever side runs second in a round (after the other's garbage) is not always the same one.
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    a.push(await batch(20_000));
    b.push(await withClock());
  } else {
    b.push(await withClock());
    a.push(await batch(20_000));
  }
}
const [ma, mb] = [median(a), median(b)];
console.log(
  `request CPU clock: ${steps} async steps + ${work} iterations per request, ${rounds} rounds of 20,000; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n` +
    `A (clock off) ${ma.toFixed(2)} µs/request, B (clock on) ${mb.toFixed(2)} µs/request: B/A = ${(mb / ma).toFixed(3)} ` +
    `(+${(((mb - ma) / ma) * 100).toFixed(1)} %, +${(mb - ma).toFixed(2)} µs per request)`,
);
