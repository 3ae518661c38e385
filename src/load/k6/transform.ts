import { parse, type Node } from 'acorn';
import { classifyImport } from './imports.js';
import { analyse, type Analysis, type Fn } from './transform-analysis.js';

/**
 * k6's synchronous script model on perfloop's async engine, by a load-time source transform.
 *
 * A k6 script calls `http.get()` and `sleep(1)` as if they blocked. k6 gives every VU its own JS runtime (1–5
 * MB each); perfloop runs thousands of VUs on one event loop instead, so "blocking" must become `await`. The
 * transform (acorn, the parser ESLint uses: small, spec-complete, exact node positions) finds every function
 * that may block — one that calls a blocking k6 API, or a function of the script that does, transitively —
 * makes it `async`, and awaits those calls. Functions that never block stay synchronous, so callbacks given
 * to `Array.prototype.sort`, `JSON.parse`, `check()` keep working. Chosen over a thread or isolate per VU
 * (memory) and over Atomics.wait on a worker (one blocked thread per VU).
 *
 * Around that:
 *  - after every await the current VU is restored (`__k6rt.r(__k6v, await …)`), so `__VU`, `__ITER` and the
 *    HTTP client know which VU is running without AsyncLocalStorage's per-promise cost;
 *  - a blocking callback given to an array method (`forEach`, `map`, …) is run by a sequential helper;
 *  - a blocking function handed to anything else that would not wait for it is a clear error naming the line;
 *  - every loop body starts with a guard (`__k6rt.g()`), so a busy loop still ends at duration + gracefulStop
 *    or on SIGTERM, and catch clauses rethrow that interrupt instead of swallowing it.
 * Every edit is an insertion that keeps line numbers, so stack traces and errors name the script's own lines.
 */

export class K6TransformError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'K6TransformError';
  }
}

interface Edit {
  pos: number;
  text: string;
  /** Ordering at the same position: closing parts (0) before plain inserts (1) before opening parts (2). */
  rank: number;
  /** Tie-break within a rank: for opens, the wider span first; for closes, the narrower. */
  span: number;
  /** Characters to delete from pos (a replacement). */
  del?: number;
}

export interface TransformOptions {
  /** URL of runtime.js, imported by the transformed module. */
  runtimeUrl: string;
  /** Display name of the file in errors. */
  file: string;
}

/** Transforms one k6 module (the entry script or a local module it imports). */
export function transformK6(source: string, o: TransformOptions): string {
  let ast: Node;
  try {
    ast = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      locations: true,
      allowHashBang: true,
      allowAwaitOutsideFunction: true,
    });
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    throw new K6TransformError(
      o.file,
      err.loc?.line ?? 1,
      `syntax error: ${err.message.replace(/\s*\(\d+:\d+\)$/, '')}`,
    );
  }
  const fail = (node: Node, msg: string): never => {
    throw new K6TransformError(o.file, lineOf(node), msg);
  };
  for (const n of (ast as unknown as { body: AnyNode[] }).body) {
    if (n.type !== 'ImportDeclaration' && n.type !== 'ExportNamedDeclaration' && n.type !== 'ExportAllDeclaration')
      continue;
    const spec = n.source?.value;
    if (typeof spec !== 'string') continue;
    const target = classifyImport(spec);
    if (target.kind === 'unsupported') fail(n, target.reason);
  }
  const a = analyse(ast, fail);
  const edits: Edit[] = [];
  const insert = (pos: number, text: string) => edits.push({ pos, text, rank: 1, span: 0 });
  const wrap = (start: number, end: number, open: string, close: string) => {
    edits.push({ pos: start, text: open, rank: 2, span: end - start });
    edits.push({ pos: end, text: close, rank: 0, span: end - start });
  };
  for (const f of a.fns) if (f.blocking) makeAsync(f, source, insert, fail);
  // Already-async functions that await (k6/browser scripts: `export default async function`) restore the VU too.
  for (const f of a.fns) if (!f.blocking && f.capture) captureVu(f.node as AnyNode, insert);
  for (const c of a.blockingCalls) {
    if (c.arrayHelper) {
      // arr.forEach(cb) → __k6rt.r(v, await __k6rt.each(arr, "forEach")(cb))
      const callee = c.node.callee as AnyNode;
      wrap(c.node.start, c.node.end, `__k6rt.r(__k6v, await __k6rt.each(`, `)`);
      edits.push({
        pos: callee.object.end,
        text: `, ${JSON.stringify(c.arrayHelper)})`,
        rank: 1,
        span: 0,
        del: callee.end - callee.object.end,
      });
    } else wrap(c.node.start, c.node.end, '__k6rt.r(__k6v, await ', ')');
  }
  for (const aw of a.awaits) wrap(aw.start, aw.end, '__k6rt.r(__k6v, ', ')');
  for (const body of a.loopBodies) {
    if (body.type === 'BlockStatement') insert(body.start + 1, '__k6rt.g();');
    else wrap(body.start, body.end, '{__k6rt.g();', '}');
  }
  for (const h of a.catches) {
    if (!h.param) {
      insert(h.body.start, '(__k6e) ');
      insert(h.body.start + 1, '__k6rt.rethrow(__k6e);');
    } else if (h.param.type === 'Identifier') insert(h.body.start + 1, `__k6rt.rethrow(${h.param.name});`);
  }
  return prelude(source, o, a) + apply(source, edits).slice(shebangEnd(source));
}

type AnyNode = Node & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function lineOf(node: Node): number {
  return (node as AnyNode).loc?.start.line ?? 1;
}

function makeAsync(
  f: Fn,
  source: string,
  insert: (pos: number, text: string) => void,
  fail: (n: Node, msg: string) => never,
): void {
  const n = f.node as AnyNode;
  if (n.generator) fail(n, 'a generator function that makes requests or sleeps cannot run in k6 mode');
  if (f.kind === 'get' || f.kind === 'set' || f.kind === 'constructor')
    fail(
      n,
      `a ${f.kind === 'constructor' ? 'constructor' : `${f.kind}ter`} cannot make requests or sleep in perfloop's k6 mode (it cannot be awaited): move the call into a method`,
    );
  if (!n.async) {
    let at = f.asyncAt ?? n.start;
    if (f.computedKey) {
      // `[name]() {}`: async goes before the bracket.
      at--;
      while (at > 0 && source[at] !== '[') at--;
    }
    insert(at, 'async ');
  }
  captureVu(n, insert);
}

/** `const __k6v = __k6rt.cur` at the top of the function: the VU its awaits restore. */
function captureVu(n: AnyNode, insert: (pos: number, text: string) => void): void {
  const body = n.body as AnyNode;
  if (body.type === 'BlockStatement') insert(body.start + 1, 'const __k6v = __k6rt.cur;');
  else {
    insert(body.start, '{ const __k6v = __k6rt.cur; return (');
    insert(body.end, '); }');
  }
}

function shebangEnd(source: string): number {
  if (!source.startsWith('#!')) return 0;
  const nl = source.indexOf('\n');
  return nl < 0 ? source.length : nl;
}

/** What the module needs from the runtime, on its first line so every line number stays the same. */
function prelude(source: string, o: TransformOptions, a: Analysis): string {
  const parts = [`import * as __k6rt from ${JSON.stringify(o.runtimeUrl)};`];
  if (!a.topLevelNames.has('open'))
    parts.push('const open = (path, mode) => __k6rt.open(import.meta.url, path, mode);');
  return (shebangEnd(source) > 0 ? '//' + source.slice(2, shebangEnd(source)) : '') + parts.join(' ');
}

function apply(source: string, edits: Edit[]): string {
  edits.sort((x, y) => {
    if (x.pos !== y.pos) return x.pos - y.pos;
    if (x.rank !== y.rank) return x.rank - y.rank;
    return x.rank === 2 ? y.span - x.span : x.span - y.span;
  });
  let out = '';
  let at = 0;
  for (const e of edits) {
    if (e.pos < at) continue; // inside a deleted range (never happens for well-formed edits)
    out += source.slice(at, e.pos) + e.text;
    at = e.pos + (e.del ?? 0);
  }
  return out + source.slice(at);
}

