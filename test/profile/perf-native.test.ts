/**
 * perf recordings of native programs built here: a Rust program and a C++ program, each with a planted hot
 * function (namespaced, templated or generic, so its symbol is mangled), are compiled with frame pointers, recorded
 * with `perf record -g`, turned into text with `perf script`, and imported: the demangled hot function is the top
 * self-time frame, under its caller. Skipped with a message only when the toolchain or perf is missing and CI is
 * unset (CI installs them and must run this).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../src/core/profile.js';
import { toolInstalled } from '../../src/profile/capture/external.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { importProfileFile } from '../../src/profile/import/index.js';
import { tempDir } from '../helpers.js';

const perfWorks =
  toolInstalled('perf') &&
  spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' })
    .status === 0;

function skipUnless(tools: string[]): string | false {
  const missing = tools.filter((t) => !toolInstalled(t));
  if (!perfWorks) missing.push('perf (recording allowed)');
  if (missing.length === 0 || process.env.CI) return false;
  return `missing: ${missing.join(', ')}`;
}

/** Runs `cmd`, failing the test with its stderr. */
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** perf record -g of `exe`, then perf script to `out.perf.txt`. */
function record(dir: string, exe: string): string {
  run('perf', ['record', '-g', '-F', '999', '-e', 'cpu-clock', '-o', 'perf.data', '--', exe], dir);
  const text = run('perf', ['script', '-i', 'perf.data'], dir);
  const out = join(dir, 'out.perf.txt');
  writeFileSync(out, text);
  return out;
}

function topSelf(p: Profile): { name: string; share: number } {
  const w = frameWeights(p);
  let best = 0;
  for (let i = 1; i < p.frames.length; i++) if (w.self[i] > w.self[best]) best = i;
  return { name: p.frames[best].name, share: w.self[best] / w.all };
}

/** True when some stack has `caller` directly above `callee`. */
function calls(p: Profile, caller: RegExp, callee: RegExp): boolean {
  for (let n = 0; n < p.nodeCount; n++) {
    const parent = p.nodeParent[n];
    if (parent >= 0 && callee.test(p.frameOf(n).name) && caller.test(p.frameOf(parent).name)) return true;
  }
  return false;
}

const RUST = `
#[inline(never)]
fn checksum<T: Copy + Into<u64>>(data: &[T], rounds: u32) -> u64 {
    let mut s: u64 = 0;
    for _ in 0..rounds {
        for &x in data { s = s.wrapping_mul(31).wrapping_add(x.into() ^ (s >> 7)); }
    }
    s
}
mod server {
    #[inline(never)]
    pub fn handle_request(data: &[u32]) -> u64 { super::checksum(data, 4000) }
}
fn main() {
    let data: Vec<u32> = (0..100_000u32).collect();
    let r = server::handle_request(std::hint::black_box(&data));
    println!("{}", r);
}
`;

test(
  'perf record of a Rust program: the demangled generic hot function on top, under its caller',
  { skip: skipUnless(['rustc']) },
  async () => {
    const dir = tempDir('perfloop-perf-rust-');
    writeFileSync(join(dir, 'hot.rs'), RUST);
    // Legacy mangling (the default of stable rustc): `_ZN3hot8checksum17h…E`; frame pointers for perf's -g.
    run('rustc', ['-O', '-g', '-C', 'force-frame-pointers=yes', '-o', 'hot', 'hot.rs'], dir);
    const p = await importProfileFile(record(dir, './hot'));
    assert.equal(p.meta.format, 'perf-script');
    const top = topSelf(p);
    assert.match(top.name, /^hot::checksum(<u32>)?$/, `top frame ${top.name}`);
    assert.ok(top.share > 0.5, `checksum has ${(top.share * 100).toFixed(1)}% of the samples`);
    assert.ok(!p.frames.some((f) => /^_ZN|::h[0-9a-f]{16}$/.test(f.name)), 'no mangled Rust names or hashes');
    // handle_request ends in a tail call (a jump), so the frame above checksum may be main's.
    assert.ok(
      calls(p, /^hot::(server::handle_request|main)$/, /^hot::checksum/),
      'checksum under its demangled caller',
    );
  },
);

const CPP = `
#include <cstdio>
#include <vector>
namespace app {
template <typename T> struct Hasher {
  __attribute__((noinline)) unsigned long mix(const std::vector<T>& v, int rounds) const {
    unsigned long s = 0;
    for (int r = 0; r < rounds; r++)
      for (T x : v) s = s * 31 + (static_cast<unsigned long>(x) ^ (s >> 7));
    return s;
  }
};
__attribute__((noinline)) unsigned long handle(const std::vector<int>& v) { return Hasher<int>().mix(v, 4000); }
}
int main() {
  std::vector<int> v(100000);
  for (int i = 0; i < 100000; i++) v[i] = i;
  std::printf("%lu\\n", app::handle(v));
}
`;

test(
  'perf record of a C++ program: the demangled template method on top, under its caller',
  { skip: skipUnless(['g++']) },
  async () => {
    const dir = tempDir('perfloop-perf-cpp-');
    writeFileSync(join(dir, 'hot.cc'), CPP);
    run(
      'g++',
      ['-O2', '-g', '-fno-omit-frame-pointer', '-mno-omit-leaf-frame-pointer', '-o', 'hot', 'hot.cc'],
      dir,
    );
    const p = await importProfileFile(record(dir, './hot'));
    const top = topSelf(p);
    // Itanium `_ZNK3app6HasherIiE3mixERKSt6vectorIiSaIiEEi`, demangled (perf may have done it already).
    assert.match(top.name, /^app::Hasher<int>::mix(\(.*\)( const)?)?$/, `top frame ${top.name}`);
    assert.ok(top.share > 0.5, `mix has ${(top.share * 100).toFixed(1)}% of the samples`);
    assert.ok(!p.frames.some((f) => /^_Z/.test(f.name)), 'no mangled C++ names');
    // g++ -O2 inlines handle into main, and the frame-pointer walk then skips main: perf script itself lists
    // __libc_start_call_main right above mix. The caller perf gives is the caller perfloop keeps.
    assert.ok(
      calls(p, /^(app::handle|main|__libc_start_call_main)(\(.*\))?$/, /^app::Hasher<int>::mix/),
      'mix under the caller perf recorded',
    );
  },
);
