/** Runtime categories: each fires on its runtime's frames and stays quiet on the user's own code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../src/core/profile.js';
import { actionFor, categoriser } from '../../src/profile/analyse/categories.js';

const cat = categoriser();
const of = (name: string, file?: string) => {
  const f: Frame = { name, file, kind: 'code' };
  return cat.specific(f) ?? cat.generic(f);
};

test('runtime categories: interpreter, allocator, kernel, JVM, Go frames get their runtime category and advice', () => {
  const cases: [string, string | undefined, string][] = [
    ['_PyEval_EvalFrameDefault', '/usr/bin/python3.11', 'python interpreter'],
    ['_PyEval_EvalFrameDefault', undefined, 'python interpreter'],
    ['_int_free', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'allocation'],
    ['malloc', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'allocation'],
    ['runtime.mallocgc', '/usr/lib/go-1.19/src/runtime/malloc.go', 'allocation'],
    ['runtime.gcBgMarkWorker', '/usr/lib/go-1.19/src/runtime/mgc.go', 'gc'],
    ['runtime.findRunnable', '/usr/lib/go-1.19/src/runtime/proc.go', 'go scheduler'],
    ['do_syscall_64', '[kernel.kallsyms]', 'kernel'],
    ['ext4_file_read_iter', '/lib/modules/6.1.0/build/vmlinux', 'kernel'],
    ['tcp_sendmsg', '[kernel.kallsyms]', 'kernel: network'],
    ['exc_page_fault', '[kernel.kallsyms]', 'kernel: page faults'],
    ['java.util.HashMap.get', '/tmp/perf-4242.map', 'java'],
    ['Interpreter', '/tmp/perf-4242.map', 'jvm interpreter'],
    ['G1ParScanThreadState::trim_queue', '/usr/lib/jvm/java-17/lib/server/libjvm.so', 'gc'],
    ['C2Compiler::compile_method', '/usr/lib/jvm/java-17/lib/server/libjvm.so', 'jit compiler'],
    ['vm_exec_core', '/usr/lib/libruby.so.3.1', 'ruby vm'],
    ['__memmove_avx_unaligned_erms', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'native (libc)'],
  ];
  for (const [name, file, want] of cases) assert.equal(of(name, file), want, `${name} (${file})`);
  assert.match(actionFor('python interpreter'), /Python frames/);
  assert.match(actionFor('allocation'), /Allocate less/);
  assert.doesNotMatch(actionFor('allocation'), /JavaScript/);
});

test('runtime categories: the user’s own code stays "your code"', () => {
  assert.equal(of('busy_parse', '/home/me/app/libperfwork.so'), 'your code');
  assert.equal(of('main.handler', '/home/me/app/main.go'), 'your code');
  assert.equal(of('free_list_add', '/home/me/app/pool.c'), 'your code');
  assert.equal(of('com.example.Handler.serve', '/home/me/app/Handler.java'), 'your code');
});
