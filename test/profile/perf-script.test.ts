/**
 * perf script as real perf prints it: names with parentheses, headers without time or -g, several events,
 * kernel frames, [unknown], inline chains, weights by period or count, demangling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile } from '../../src/core/profile.js';
import { exportToString } from '../../src/profile/export/index.js';
import { demangle, prepareDemangler, unescapeRustLegacy } from '../../src/profile/import/demangle.js';
import { bufferSource, detectImporter, importProfileSource } from '../../src/profile/import/index.js';
import { stripCxxParameters } from '../../src/profile/import/perf-symbol.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';

const perf = (text: string, options = {}) =>
  importProfileSource(bufferSource('x.perf.txt', text), { format: 'perf-script', ...options });

/** root;…;leaf → weight, frame names only. */
function stacks(p: Profile): Map<string, number> {
  const w = frameWeights(p);
  const out = new Map<string, number>();
  for (let n = 0; n < p.nodeCount; n++) {
    if (w.nodeSelf[n] <= 0) continue;
    const key = p
      .stackOf(n)
      .map((f) => p.frames[f].name)
      .join(';');
    out.set(key, (out.get(key) ?? 0) + w.nodeSelf[n]);
  }
  return out;
}

test('perf script: Go methods, C++ signatures, templates and operator() keep their whole name', async () => {
  const text = [
    'go 100 1.000001: 1 cycles:',
    '\t  4a1b2c go/build.(*Context).Import+0x12 (/usr/bin/go)',
    '\t  4a0000 main.main+0x5 (/usr/bin/go)',
    '',
    'app 101 1.000002: 1 cycles:',
    '\t  1000 std::vector<int, std::allocator<int> >::push_back(int const&)+0x1c (/app)',
    '\t  1100 std::function<void ()>::operator()() const+0x9 (/app)',
    '\t  1200 (anonymous namespace)::run(int) (/app)',
    '',
  ].join('\n');
  const s = stacks(await perf(text));
  assert.deepEqual([...s.keys()].sort(), [
    'app;(anonymous namespace)::run;std::function<void ()>::operator();std::vector<int, std::allocator<int> >::push_back',
    'go;main.main;go/build.(*Context).Import',
  ]);
  assert.equal(stripCxxParameters('foo(int)'), 'foo');
  assert.equal(stripCxxParameters('main.(*T).M'), 'main.(*T).M');
});

test('perf script: without time, without -g (padded process names), with pid/tid and cpu', async () => {
  const noTime =
    'func_ab 15294 cpu-clock: \n\t  4004ed func_a (/tmp/func_ab)\n\t  400510 main (/tmp/func_ab)\n\n';
  assert.deepEqual([...stacks(await perf(noTime))], [['func_ab;main;func_a', 1]]);
  assert.equal((await detectImporter(bufferSource('out.txt', noTime))).format, 'perf-script');
  const noCallchain = [
    '            perf  2345 [001]  100.000001:     250000 cpu-clock:      ffffffff8104f45a native_write_msr ([kernel.kallsyms])',
    '         busyapp  2346 [000]  100.000002:     250000 cpu-clock:      55d0c4a0 spin+0x10 (/usr/bin/busyapp)',
    '         busyapp  2346 [000]  100.000003:     250000 cpu-clock:      55d0c4a0 spin+0x10 (/usr/bin/busyapp)',
    '',
  ].join('\n');
  const p = await perf(noCallchain);
  assert.equal(p.unit, 'ns');
  assert.deepEqual([...stacks(p)].sort(), [
    ['busyapp;spin', 500000],
    ['perf;native_write_msr', 250000],
  ]);
  assert.equal((await detectImporter(bufferSource('out.txt', noCallchain))).format, 'perf-script');
  const tid = await perf('V8 Worker 24636/25607 [000] 94564.109216: 100 cycles:\n\t 1 f (/a)\n\n', {
    perfProcessLabel: 'tid',
  });
  assert.deepEqual([...stacks(tid)], [['V8_Worker-24636/25607;f', 100]]);
});

test('perf script: several events — the first kept with a warning, --event chooses, --weight samples counts', async () => {
  const text = [
    'app 1 1.0: 1000 cycles:',
    '\t 1 hot (/app)',
    '',
    'app 1 1.1: 7 instructions:',
    '\t 2 cold (/app)',
    '',
    'app 1 1.2: 3000 cycles:',
    '\t 1 hot (/app)',
    '',
  ].join('\n');
  const first = await perf(text);
  assert.deepEqual([...stacks(first)], [['app;hot', 4000]]);
  assert.match(first.meta.warnings?.[0] ?? '', /kept cycles \(2 samples\), skipped instructions \(1\)/);
  assert.deepEqual([...stacks(await perf(text, { event: 'instructions' }))], [['app;cold', 7]]);
  assert.deepEqual([...stacks(await perf(text, { weight: 'samples' }))], [['app;hot', 2]]);
  await assert.rejects(perf(text, { event: 'branches' }), /no samples of event "branches"/);
});

test('perf script: kernel frames by module, [unknown] named after its module, inline chains split', async () => {
  const text = [
    'app 1 1.0: 1 cycles:',
    '\t ffffffff810 do_syscall_64+0x5 (/lib/modules/6.1.0/build/vmlinux)',
    '\t ffffffff811 entry_SYSCALL_64 ([kernel.kallsyms])',
    '\t 7f00 [unknown] (/usr/lib/libc.so.6)',
    '\t 7f01 [unknown] ([unknown])',
    '\t 7f02 outer->inner (/tmp/perf-42.map)',
    '',
  ].join('\n');
  const p = await perf(text);
  assert.deepEqual(
    [...stacks(p).keys()],
    ['app;outer;inner;[unknown];[libc.so.6];entry_SYSCALL_64;do_syscall_64'],
  );
  const folded = exportToString(p, 'folded');
  assert.match(folded, /entry_SYSCALL_64_\[k\];do_syscall_64_\[k\] 1/);
  assert.match(folded, /outer_\[j\];inner_\[j\]/);
});

test('demangling: Itanium C++, Rust legacy and v0, and perf’s half-demangled Rust', async () => {
  await prepareDemangler();
  assert.equal(demangle('_ZN4core3fmt5write17h01234567890abcdeE'), 'core::fmt::write');
  assert.equal(demangle('_RNvCs1234_7mycrate3foo'), 'mycrate::foo');
  assert.equal(demangle('_Z5gammav'), 'gamma()');
  assert.equal(
    unescapeRustLegacy('core::ptr::drop_in_place$LT$alloc..vec..Vec$LT$u8$GT$$GT$::h1a2b3c4d5e6f7a8b'),
    'core::ptr::drop_in_place<alloc::vec::Vec<u8>>',
  );
  assert.equal(unescapeRustLegacy('com/Foo$Bar'), 'com/Foo$Bar'); // a Java inner class is not Rust
  const p = await perf('r 1 1.0: 1 cycles:\n\t 1 _ZN4dcpu3cpu3Cpu4tick17h0123456789abcdefE (/r)\n\n');
  assert.deepEqual([...stacks(p).keys()], ['r;dcpu::cpu::Cpu::tick']);
});

test('perf script: a damaged line is skipped with a warning; a file of them is an error naming the line', async () => {
  const ok = await perf('a 1 1.0: 1 cycles:\n\t 1 f (/a)\n\t garbage here\n\t 2 g (/a)\n\n');
  assert.deepEqual([...stacks(ok)], [['a;g;f', 1]]);
  assert.match(ok.meta.warnings?.[0] ?? '', /1 line\(s\) not understood and skipped, the first at line 3/);
  await assert.rejects(perf('a 1 1.0: 1 cycles:\n\tzz not a frame\n'), /line 2: cannot read stack line/);
});
