/**
 * Parse time of deep EXPLAIN text plans (the issue: depth 400 took 9.3 s, depth 1,000 188 s, from regexes that
 * backtrack over long indented lines). A chain of Nested Loops `depth` levels deep, each with a detail line
 * and an inner Index Scan, in psql's frame. Target: depth 1,000 under a second, time growing linearly in the
 * input's size (lines get longer with depth, so the input grows with depth²).
 * Run: `node dist/bench/plan-parse-depth.js`.
 */
import { parsePlans } from '../src/db/plan/index.js';

export function deepPlan(depth: number): string {
  const lines = [' QUERY PLAN', '-'.repeat(40)];
  const at = (col: number, s: string) => `${' '.repeat(col)}${s}`;
  for (let d = 0; d < depth; d++) {
    const col = 1 + d * 6;
    const arrow = d === 0 ? '' : '->  ';
    const c = d === 0 ? col : col - 4;
    lines.push(
      at(
        c,
        `${arrow}Nested Loop  (cost=0.29..${1000 - d}.00 rows=10 width=8) (actual time=0.010..${(depth - d) / 10}.000 rows=10 loops=1)`,
      ),
      at(col + 2, `Join Filter: (t${d}.a = t${d + 1}.a)`),
      at(
        col + 2,
        `->  Index Scan using t${d}_pkey on t${d}  (cost=0.29..8.31 rows=1 width=4) (actual time=0.001..0.002 rows=1 loops=10)`,
      ),
      at(col + 8, `Index Cond: (id = ${d})`),
    );
  }
  lines.push(
    at(
      1 + depth * 6 - 4,
      '->  Seq Scan on leaf  (cost=0.00..1.00 rows=1 width=4) (actual time=0.001..0.001 rows=1 loops=1)',
    ),
  );
  lines.push(' Planning Time: 1.000 ms', ' Execution Time: 100.000 ms', `(${lines.length - 2} rows)`);
  return lines.join('\n');
}

function time(depth: number): { ms: number; nodes: number; bytes: number } {
  const text = deepPlan(depth);
  const t0 = performance.now();
  const { plans } = parsePlans(text);
  return { ms: performance.now() - t0, nodes: plans[0].nodes.length, bytes: text.length };
}

function main(): void {
  time(50); // warm up the JIT
  console.log('depth   nodes      bytes   parse ms   µs per KB');
  const rows = [100, 400, 1000, 2000].map((d) => ({ d, ...time(d) }));
  for (const r of rows)
    console.log(
      `${String(r.d).padStart(5)} ${String(r.nodes).padStart(7)} ${String(r.bytes).padStart(10)} ${r.ms.toFixed(1).padStart(10)} ${((1000 * r.ms) / (r.bytes / 1024)).toFixed(1).padStart(11)}`,
    );
  const d1000 = rows.find((r) => r.d === 1000)!;
  console.log(
    `\ndepth 1,000: ${d1000.ms.toFixed(0)} ms (target < 1000 ms) → ${d1000.ms < 1000 ? 'ok' : 'TOO SLOW'}`,
  );
  process.exit(d1000.ms < 1000 ? 0 : 1);
}

if (process.argv[1]?.endsWith('plan-parse-depth.js')) main();
