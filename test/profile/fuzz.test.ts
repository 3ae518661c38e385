/**
 * Importers on damaged input (fast-check, fixed seed, a short run; bench/profile-fuzz.ts runs ≥ 10,000 cases per
 * importer): truncation, byte flips, huge numbers, deep nesting, UTF-16 — every result is a profile or a
 * PerfloopError (one line, exit 2 in the CLI), never another exception, and never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PerfloopError } from '../../src/core/errors.js';
import { fuzzSeeds, mutation } from '../../bench/profile-fuzz-cases.js';
import { bufferSource, importProfileSource, IMPORTERS } from '../../src/profile/import/index.js';

for (const importer of IMPORTERS) {
  test(`fuzz: ${importer.format} survives damaged files (fixed seed)`, async () => {
    const seeds = fuzzSeeds(importer.format);
    assert.ok(seeds.length > 0, `seed files for ${importer.format}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), mutation(), async (seed, mutate) => {
        const data = mutate(seed);
        try {
          await importProfileSource(bufferSource(`fuzz.${importer.format}`, data), {
            format: importer.format,
          });
        } catch (e) {
          if (!(e instanceof PerfloopError)) throw e;
          assert.ok(!e.toLine().includes('\n'));
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });
}
