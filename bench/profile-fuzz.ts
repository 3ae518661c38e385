/**
 * The long fuzz run: ≥ 10,000 damaged files per importer (profile-fuzz-cases.ts), counting outcomes — imported,
 * refused with a PerfloopError (exit 2 in the CLI), crashed (any other exception), or slow (over 2 s for a file
 * of at most a few hundred KB: a hang). Fixed seed, so a failure reproduces.
 *
 *   npx tsc -p . && node dist/bench/profile-fuzz.js [--runs 10000] [--seed 1] [--format NAME,…]
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { PerfloopError } from '../src/core/errors.js';
import { bufferSource, importProfileSource, IMPORTERS } from '../src/profile/import/index.js';
import { fuzzSeeds, mutation } from './profile-fuzz-cases.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    format: { type: 'string' },
  },
});
const runs = Number(values.runs);
let failed = false;
console.log('importer        cases  imported  refused  crashed  slow  slowest ms');
const only = values.format?.split(',');
for (const importer of IMPORTERS.filter((i) => !only || only.includes(i.format))) {
  const seeds = fuzzSeeds(importer.format);
  const count = { imported: 0, refused: 0, crashed: 0, slow: 0, slowest: 0 };
  const crashes: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...seeds), mutation(), async (seed, mutate) => {
      const data = mutate(seed);
      const t = performance.now();
      try {
        await importProfileSource(bufferSource(`fuzz.${importer.format}`, data), { format: importer.format });
        count.imported++;
      } catch (e) {
        if (e instanceof PerfloopError && !e.toLine().includes('\n')) count.refused++;
        else {
          count.crashed++;
          if (crashes.length < 3)
            crashes.push(
              String((e as Error).stack ?? e)
                .split('\n')
                .slice(0, 3)
                .join(' | '),
            );
        }
      }
      const ms = performance.now() - t;
      count.slowest = Math.max(count.slowest, ms);
      if (ms > 2000) count.slow++;
    }),
    { seed: Number(values.seed), numRuns: runs },
  );
  console.log(
    `${importer.format.padEnd(14)} ${String(runs).padStart(6)} ${String(count.imported).padStart(9)} ${String(count.refused).padStart(8)} ${String(count.crashed).padStart(8)} ${String(count.slow).padStart(5)} ${count.slowest.toFixed(0).padStart(11)}`,
  );
  for (const c of crashes) console.log(`  crash: ${c}`);
  if (count.crashed || count.slow) failed = true;
}
process.exit(failed ? 1 : 0);
