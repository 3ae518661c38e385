/**
 * Callgrind: a small C program with a planted hot function is compiled and run under valgrind's callgrind here,
 * and its callgrind.out imported — the hot function carries most instructions, under its caller; name and
 * subposition compression, a second event and broken lines are checked on small files in the format's own shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfloopError } from '../../src/core/errors.js';
import type { Profile } from '../../src/core/profile.js';
import { toolInstalled } from '../../src/profile/capture/external.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import {
  bufferSource,
  detectImporter,
  importProfileFile,
  importProfileSource,
} from '../../src/profile/import/index.js';
import { tempDir } from '../helpers.js';

const haveTools = toolInstalled('valgrind') && toolInstalled('cc');
const skip =
  haveTools || process.env.CI ? false : 'valgrind or a C compiler is missing (apt-get install valgrind gcc)';

const PROGRAM = `
#include <stdio.h>
__attribute__((noinline)) unsigned long hot_checksum(unsigned long n) {
  unsigned long s = 0;
  for (unsigned long i = 0; i < n; i++) s = s * 31 + (i ^ (s >> 7));
  return s;
}
__attribute__((noinline)) unsigned long run_work(void) { return hot_checksum(3000000); }
int main(void) { printf("%lu\\n", run_work()); return 0; }
`;

const selfOf = (p: Profile, name: string) => {
  const w = frameWeights(p);
  const i = p.frames.findIndex((f) => f.name === name);
  return i < 0 ? 0 : w.self[i];
};

test(
  'valgrind --tool=callgrind: the hot function carries the instructions, under its caller',
  { skip },
  async () => {
    const dir = tempDir('perfloop-callgrind-');
    writeFileSync(join(dir, 'hot.c'), PROGRAM);
    const cc = spawnSync('cc', ['-O1', '-g', '-o', 'hot', 'hot.c'], { cwd: dir, encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const vg = spawnSync('valgrind', ['--tool=callgrind', './hot'], { cwd: dir, encoding: 'utf8' });
    assert.equal(vg.status, 0, vg.stderr);
    const out = readdirSync(dir).find((f) => f.startsWith('callgrind.out.'));
    assert.ok(out, 'callgrind wrote its output');
    const p = await importProfileFile(join(dir, out));
    assert.equal(p.meta.format, 'callgrind');
    assert.match(p.meta.name ?? '', /· Ir$/);
    assert.ok(
      selfOf(p, 'hot_checksum') / p.totalWeight > 0.8,
      `${selfOf(p, 'hot_checksum')} of ${p.totalWeight}`,
    );
    const hot = p.frames.findIndex((f) => f.name === 'hot_checksum');
    assert.match(p.frames[hot].file ?? '', /hot\.c$/);
    const node = p.nodeFrame.indexOf(hot);
    assert.equal(p.frames[p.nodeFrame[p.nodeParent[node]]].name, 'run_work');
  },
);

const SMALL = `# callgrind format
version: 1
positions: line
events: Ir Dr

fl=(1) app.c
fn=(1) main
10 5 1
cfn=(2) parse
calls=2 20
+1 300 40
cfl=(2) lib.c
cfn=(3) checksum
calls=1 5
* 100 7

fn=(2)
20 60 9
cfl=(2)
cfn=(3)
calls=1 5
+2 240 1

fl=(2)
fn=(3)
5 340 5
`;

test('callgrind compression: names by id, relative positions, inclusive call costs split into a tree', async () => {
  const src = bufferSource('app.out', SMALL);
  assert.equal((await detectImporter(src)).format, 'callgrind');
  const p = await importProfileSource(src);
  assert.equal(p.unit, 'count');
  // main: 5 self; parse: 300 inclusive = 60 self + 240 into checksum; checksum straight from main: 100.
  assert.equal(selfOf(p, 'main'), 5);
  assert.equal(selfOf(p, 'parse'), 60);
  assert.equal(selfOf(p, 'checksum'), 340);
  assert.equal(p.totalWeight, 405);
  assert.ok(p.meta.warnings?.some((w) => /event Ir; also Dr/.test(w)));
  const dr = await importProfileSource(bufferSource('app.out', SMALL), { event: 'Dr' });
  assert.equal(dr.totalWeight, 1 + 40 + 7);
});

test('callgrind: an unknown event, a name used before it is defined and a garbage line fail with one line', async () => {
  await assert.rejects(importProfileSource(bufferSource('a.out', SMALL), { event: 'Bc' }), (e: unknown) => {
    assert.ok(e instanceof PerfloopError && e.exitCode === 2);
    assert.match(e.hint ?? '', /Ir, Dr/);
    return true;
  });
  const broken = SMALL.replace('fn=(1) main', 'fn=(9)');
  await assert.rejects(
    importProfileSource(bufferSource('b.out', broken), { format: 'callgrind' }),
    /b\.out: callgrind: line 7: name \(9\) used before/,
  );
  const garbage = SMALL.replace('10 5 1', 'hello world');
  await assert.rejects(
    importProfileSource(bufferSource('c.out', garbage), { format: 'callgrind' }),
    /c\.out: callgrind: line 8: not a position or cost line/,
  );
});
