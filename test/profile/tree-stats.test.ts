/**
 * The folded importer records each node's recursion while it builds the tree (core/path-cursor.ts); the tree
 * stats derived from that must be exactly those of the depth-first walk over the finished tree, on any file:
 * unsorted lines, recursion, root markers, repeated and empty stacks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Profile } from '../../src/core/profile.js';
import { treeStats } from '../../src/profile/analyse/tree-stats.js';
import { bufferSource, importProfileSource } from '../../src/profile/import/index.js';

/** The same tree without the importer's recorded repeats: its stats come from the walk. */
function withoutRecordedRepeats(p: Profile): Profile {
  return new Profile(
    p.meta,
    p.unit,
    p.frames,
    p.nodeFrame,
    p.nodeParent,
    p.sampleNode,
    p.sampleWeight,
    undefined,
    p.lineWeights,
  );
}

const frame = fc.constantFrom('a', 'b', 'c', 'd', 'main', '(root)', 'e (x.js:3)', 'k_[k]');
const stack = fc.array(frame, { minLength: 1, maxLength: 12 });

test('tree stats: recorded while importing folded = computed by walking the tree', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(stack, fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 40 }),
      async (lines) => {
        const text = lines.map(([s, n]) => `${s.join(';')} ${n}`).join('\n');
        const p = await importProfileSource(bufferSource('t.folded', text), { format: 'folded' });
        assert.ok(p.knownRepeats, 'the folded importer records repeats');
        const recorded = treeStats(p);
        const walked = treeStats(withoutRecordedRepeats(p));
        assert.deepEqual(recorded, walked);
      },
    ),
    { seed: 7, numRuns: 300 },
  );
});

test('tree stats: a recursive stack counts each occurrence of its frame on the path', async () => {
  const p = await importProfileSource(bufferSource('r.folded', 'main;a;b;a;a 5\nmain;b 1\n'), {
    format: 'folded',
  });
  const s = treeStats(p);
  const names = (n: number) => p.frames[p.nodeFrame[n]].name;
  const leaf = p.sampleNode[0];
  assert.deepEqual(
    p.stackOf(leaf).map((f) => p.frames[f].name),
    ['main', 'a', 'b', 'a', 'a'],
  );
  assert.equal(s.repeat[leaf], 3);
  assert.equal(s.depth[leaf], 5);
  assert.equal(s.maxRepeatOnPath[leaf], 3);
  assert.equal(names(s.maxRepeatNode[leaf]), 'a');
  const other = p.sampleNode[1];
  assert.equal(s.repeat[other], 1);
  assert.equal(s.maxRepeatOnPath[other], 1);
});

test('deep recursion from a folded file (recorded repeats): 20 deep is a tower, 15 deep is not', async () => {
  const { analyseProfile } = await import('../../src/profile/analyse/index.js');
  // 100 lines (the findings' evidence floor counts samples): 40 in the recursion, 60 elsewhere.
  const folded = (deep: number) =>
    Array.from({ length: 100 }, (_, i) =>
      i < 40 ? `main;${Array(deep).fill('walk (tree.js:3)').join(';')} 1` : 'main;render (app.js:9) 1',
    ).join('\n');
  const tall = await importProfileSource(bufferSource('tall.folded', folded(20)), { format: 'folded' });
  assert.ok(tall.knownRepeats);
  const f = analyseProfile(tall).findings.find((x) => x.rule === 'cpu.deep-recursion');
  assert.equal(f?.evidence.function, 'walk');
  assert.equal(f?.evidence.maxRecursion, 20);
  const low = await importProfileSource(bufferSource('low.folded', folded(15)), { format: 'folded' });
  assert.ok(!analyseProfile(low).findings.some((x) => x.rule === 'cpu.deep-recursion'));
});

test('tree stats: recorded while importing perf script = computed by walking the tree', async () => {
  const sample = (comm: string, frames: string[]) =>
    `${comm} 12 1.0: 1 cycles:\n${frames.map((f, i) => `\t${(0x1000 + i).toString(16)} ${f} (/usr/bin/x)`).join('\n')}\n`;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.constantFrom('app', 'worker'),
          fc.array(fc.constantFrom('a', 'b', 'c', 'main'), { minLength: 1, maxLength: 10 }),
        ),
        {
          minLength: 1,
          maxLength: 30,
        },
      ),
      async (samples) => {
        const text = samples.map(([comm, frames]) => sample(comm, frames)).join('\n');
        const p = await importProfileSource(bufferSource('t.perf', text), { format: 'perf-script' });
        assert.ok(p.knownRepeats, 'the perf script importer records repeats');
        assert.deepEqual(treeStats(p), treeStats(withoutRecordedRepeats(p)));
      },
    ),
    { seed: 11, numRuns: 200 },
  );
});
