/**
 * Readable names for native symbols: Itanium C++ (`_Z…`, https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling),
 * Rust legacy (`_ZN…17h<hash>E`) and v0 (`_R…`, https://doc.rust-lang.org/rustc/symbol-mangling/v0.html).
 * The demangling itself is gecko-profiler-demangle (the Firefox profiler's WASM build of the `cpp_demangle` and
 * `rustc-demangle` crates): well kept and made for exactly this. What it cannot do is perf's half-demangled Rust
 * legacy names (`core::ptr::drop_in_place$LT$alloc..vec..Vec$LT$u8$GT$$GT$::h1a2b…`), which perf prints when it
 * demangles the Itanium layer only; those escapes are undone here, following the legacy scheme's table.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface DemangleModule {
  demangle_any(name: string): string;
  __wbg_set_wasm(exports: Record<string, unknown>): void;
}
/** The slice of the WebAssembly API used here (the project's TypeScript lib has no DOM types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let demangler: ((name: string) => string) | null | undefined;

/**
 * The package's entry imports its .wasm as an ES module, which Node 20 cannot do without a flag: the glue file
 * and the .wasm are loaded by hand instead, once, on the first mangled name (a profile without any pays nothing).
 */
async function loadDemangler(): Promise<((name: string) => string) | null> {
  if (demangler !== undefined) return demangler;
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('gecko-profiler-demangle/package.json'));
    const glue = (await import(join(dir, 'index_bg.js'))) as DemangleModule;
    const mod = new wasmApi.Module(readFileSync(join(dir, 'index_bg.wasm')));
    const instance = new wasmApi.Instance(mod, { './index_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    demangler = (name) => glue.demangle_any(name);
  } catch {
    demangler = null; // names stay as recorded; nothing else depends on it
  }
  return demangler;
}

/** Loads the demangler so that `demangle` can run synchronously inside a streaming parser. */
export async function prepareDemangler(): Promise<void> {
  await loadDemangler();
}

const MANGLED = /^(_Z|__Z|_R|__R)[A-Za-z0-9_$.]/;
const RUST_HASH = /::h[0-9a-f]{16}$/;
const RUST_ESCAPE = /\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{2})\$/;
const RUST_ESCAPES: Record<string, string> = {
  $SP$: '@',
  $BP$: '*',
  $RF$: '&',
  $LT$: '<',
  $GT$: '>',
  $LP$: '(',
  $RP$: ')',
  $C$: ',',
};

/** Undoes the `$LT$`, `$u7b$`, `..` escapes of a Rust legacy path that perf demangled only half-way. */
export function unescapeRustLegacy(name: string): string {
  const hashed = RUST_HASH.test(name);
  if (!hashed && !RUST_ESCAPE.test(name)) return name;
  let out = hashed ? name.replace(RUST_HASH, '') : name;
  if (!RUST_ESCAPE.test(out)) return out;
  out = out.replace(new RegExp(RUST_ESCAPE.source, 'g'), (m, code: string) =>
    code.startsWith('u') ? String.fromCharCode(parseInt(code.slice(1), 16)) : RUST_ESCAPES[m],
  );
  // `..` is `::` inside a path segment; a leading `_$` escape prefix (`_$LT$`) loses its underscore.
  return out.replace(/\.\./g, '::').replace(/(^|::)_(?=[<{&*@(])/g, '$1');
}

/**
 * The readable form of a symbol: mangled names demangled (call `prepareDemangler` first, or names stay mangled),
 * half-demangled Rust names cleaned; anything else as given.
 */
export function demangle(name: string): string {
  if (MANGLED.test(name) && demangler) {
    const d = demangler(name.startsWith('__') ? name.slice(1) : name);
    // Only a real demangling has a path or a parameter list; anything else is a guess at a malformed name.
    if (d !== name && /::|\(/.test(d)) return unescapeRustLegacy(d);
  }
  return unescapeRustLegacy(name);
}
