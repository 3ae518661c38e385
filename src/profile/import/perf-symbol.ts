/**
 * One `perf script` stack line's symbol and module → frames, the way FlameGraph's stackcollapse-perf.pl and
 * inferno's collapse-perf read them (so the stacks agree with theirs), with names a user can read:
 * the `+0x…` offset dropped, C++ parameter lists dropped (but `operator()`, templates and Go's
 * `pkg.(*T).Method` kept whole), mangled C++/Rust demangled, perf-map inline chains `a->b->c` split,
 * `[unknown]` named after its module when the module is known, and JIT symbols unpacked: Node's
 * `--perf-basic-prof` (`JS:*fib file:///app.js:3:10`), Python 3.12's perf trampolines (`py::fib:/app.py`) and
 * perf-map-agent's Java type descriptors (`Ljava/io/File;::open`).
 */
import { basename } from 'node:path';
import type { Frame } from '../../core/profile.js';
import { fileOfUrl } from './cpuprofile.js';
import { demangle } from './demangle.js';

const V8_JIT =
  /^(?:LazyCompile|Function|JS|InterpretedFunction|Builtin|BytecodeHandler|Stub|Script|RegExp|Eval):[*~^+]?(.*?)\s+(\S+?):(\d+)(?::(\d+))?$/;
const PY_TRAMPOLINE = /^py::(.+?):(.+)$/;
/**
 * A JVM class as perf-map-agent writes it — `Ljava/util/HashMap;::get`, `Lio/netty/Foo;.read(Ljava/nio/…` (the
 * signature often cut short), `Lcom/Foo::bar`, or the class alone — named the way Java tools print it:
 * `java.util.HashMap.get`.
 */
const JAVA_DESCRIPTOR = /^L([\w$]+(?:\/[\w$]+)+)(?:;(?:\.|::)?|::|$)/;
/** Go methods on pointer receivers: `net/http.(*conn).serve` — parentheses that are part of the name. */
const GO_METHOD = /\.\(.*\)\./;
const OFFSET = /\+0x[0-9a-fA-F]+$/;
/** What may follow a C++ parameter list: cv/ref qualifiers, noexcept, GCC's `[clone .cold]` suffixes. */
const CXX_TRAILER = /(\s+(const|volatile|&&?|noexcept)|\s*\[clone [^\]]*\])+$/;

/** Kernel code by module: `[kernel.kallsyms]` (and perf's other bracketed kernel maps), vmlinux, modules. */
export function isKernelModule(mod: string | undefined): boolean {
  if (!mod) return false;
  if (mod.startsWith('[')) return !mod.includes('unknown');
  return (
    /(^|\/)vmlinux[^/]*$/.test(mod) || mod.startsWith('/lib/modules/') || /\.ko(\.[gx]z|\.zst)?$/.test(mod)
  );
}

/** A perf map written by a JIT (`/tmp/perf-PID.map`: perf-map-agent, Node --perf-basic-prof, .NET, …). */
export const isPerfMap = (mod: string | undefined) => !!mod && /(^|\/)perf-\d+\.map$/.test(mod);

/**
 * The name without its C++ parameter list: the balanced `(…)` group at the very end (after optional qualifiers).
 * Unlike cutting at the first `(`, this keeps `operator()`, `foo<void (int)>::bar` and `(anonymous namespace)`.
 */
export function stripCxxParameters(name: string): string {
  const body = name.replace(CXX_TRAILER, '');
  if (!body.endsWith(')') || GO_METHOD.test(body)) return name;
  let depth = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const c = body.charCodeAt(i);
    if (c === 41 /* ) */) depth++;
    else if (c === 40 /* ( */ && --depth === 0) {
      if (i === 0) return name; // all of it is in parentheses: not a parameter list
      const head = body.slice(0, i);
      return /\boperator$/.test(head) ? name : head.trimEnd();
    }
  }
  return name;
}

/** A symbol as the peers tidy it, readable: demangled, no parameter list, no `;` (the folded separator). */
export function tidySymbol(sym: string): string {
  const java = JAVA_DESCRIPTOR.exec(sym);
  if (java) {
    const method = sym.slice(java[0].length).replace(/\(.*/, '');
    return `${java[1].replace(/\//g, '.')}${method ? `.${method}` : ''}`.replace(/["';]/g, '');
  }
  const s = stripCxxParameters(demangle(sym));
  return s.replace(/;/g, ':').replace(/["']/g, '');
}

/**
 * Frames of one stack line, outermost first (an inline chain `a->b` is `a` calling `b`). Empty when the peers
 * skip the line (a symbol that is a process name in parentheses).
 */
export function perfFrames(rawSym: string, mod: string): Frame[] {
  const sym = rawSym.replace(OFFSET, '');
  if (sym.startsWith('(') && !sym.startsWith('(anonymous namespace)')) return [];
  const file = mod && mod !== '[unknown]' && mod !== 'unknown' ? mod : undefined;
  const out: Frame[] = [];
  for (const piece of sym.split('->')) {
    if (piece === '[unknown]' || piece === '') {
      out.push({ name: file ? `[${basename(file)}]` : '[unknown]', file, kind: 'code' });
      continue;
    }
    const jit = V8_JIT.exec(piece);
    if (jit) {
      out.push({
        name: jit[1] || '(anonymous)',
        file: fileOfUrl(jit[2]),
        line: Number(jit[3]) || undefined,
        col: jit[4] ? Number(jit[4]) : undefined,
        kind: 'code',
      });
      continue;
    }
    const py = PY_TRAMPOLINE.exec(piece);
    if (py) {
      out.push({ name: py[1], file: py[2], kind: 'code' });
      continue;
    }
    out.push({ name: tidySymbol(piece) || '[unknown]', file, kind: 'code' });
  }
  return out;
}

/**
 * Splits a stack line `  ADDR SYMBOL (MODULE)` into its parts. The module is the balanced parenthesised group at
 * the end after a space (a symbol may contain parentheses, a module `(deleted)`); a line without one is
 * `ADDR SYMBOL` alone.
 */
export function splitStackLine(text: string): { addr: string; sym: string; mod: string } | null {
  const t = text.trim();
  const sp = t.search(/\s/);
  if (sp <= 0 || !/^[0-9a-fA-Fx]+$/.test(t.slice(0, sp))) return null;
  const addr = t.slice(0, sp);
  const rest = t.slice(sp).trimStart();
  if (rest.endsWith(')')) {
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      const c = rest.charCodeAt(i);
      if (c === 41) depth++;
      else if (c === 40 && --depth === 0) {
        // `ADDR  (MODULE)`: perf found no symbol at all.
        if (i === 0) return { addr, sym: '', mod: rest.slice(1, -1) };
        if (/\s/.test(rest[i - 1]))
          return { addr, sym: rest.slice(0, i).trimEnd(), mod: rest.slice(i + 1, -1) };
        break;
      }
    }
  }
  return rest ? { addr, sym: rest, mod: '' } : null;
}
