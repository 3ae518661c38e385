import type { Node } from 'acorn';
import { classifyImport } from './imports.js';

/**
 * The analysis behind transform.ts: which functions of a k6 module may block (call a blocking k6 API, or a
 * script function that may), which calls must be awaited, where loops and catch clauses are. Names are
 * matched by name, not by scope: an extra `await` on a call that turns out not to block costs a microtask
 * and changes nothing, so the analysis errs on that side; making a callback async that native code would
 * call synchronously is the dangerous direction, and every such hand-over is checked (see escapes()).
 */

type AnyNode = Node & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Fn {
  node: AnyNode;
  /** Names this function is bound to as a plain identifier (declaration, `const f = …`, `f = …`). */
  idents: string[];
  /** Names it is bound to as a property or method (`obj.f()`, `this.f()`). */
  methods: string[];
  kind: 'function' | 'method' | 'get' | 'set' | 'constructor';
  /** Where `async` goes (methods: before the key). */
  asyncAt?: number;
  computedKey?: boolean;
  params: (string | null)[];
  /** Passed directly as an argument of a call. */
  argOf?: { call: AnyNode; index: number };
  /** A property value of an object literal passed to a call (`check(r, { ok: fn })`). */
  propOfArgTo?: AnyNode;
  /** Calls made directly in this function's body (not in nested functions). */
  calls: AnyNode[];
  blocking: boolean;
  /** Needs `const __k6v = __k6rt.cur` (it is async and awaits something). */
  capture: boolean;
}

export interface BlockingCall {
  node: AnyNode;
  /** Array method run by the sequential helper (the callback blocks). */
  arrayHelper?: string;
}

export interface Analysis {
  fns: Fn[];
  blockingCalls: BlockingCall[];
  /** Await expressions inside functions: the VU is restored after each. */
  awaits: AnyNode[];
  loopBodies: AnyNode[];
  catches: AnyNode[];
  topLevelNames: Set<string>;
}

const HTTP_BLOCKING = ['get', 'post', 'put', 'patch', 'del', 'head', 'options', 'request', 'batch'];
const HTTPX_BLOCKING = [...HTTP_BLOCKING, 'delete'];
const K6_BLOCKING = ['sleep', 'group'];
/** Callees that accept an async callback and do not need its result. */
const CALLBACK_SINKS = new Set(['setTimeout', 'setInterval', 'then', 'catch', 'finally', 'Promise', 'queueMicrotask']);
const ARRAY_METHODS = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'reduce',
  'flatMap',
]);
const LOOPS = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement']);

const keyName = (key: AnyNode, computed: boolean): string | null =>
  !computed && (key.type === 'Identifier' || key.type === 'PrivateIdentifier')
    ? key.name
    : key.type === 'Literal'
      ? String(key.value)
      : null;

/** `obj.name` → "name" (also `obj["name"]`). */
const memberName = (m: AnyNode): string | null =>
  m.type === 'MemberExpression' ? keyName(m.property, m.computed) : null;

const paramName = (p: AnyNode): string | null =>
  p.type === 'Identifier'
    ? p.name
    : p.type === 'AssignmentPattern' && p.left.type === 'Identifier'
      ? p.left.name
      : null;

export function analyse(ast: Node, fail: (n: Node, msg: string) => never): Analysis {
  const fns: Fn[] = [];
  const fnOf = new Map<AnyNode, Fn>();
  const awaits: AnyNode[] = [];
  const awaitFn = new Map<AnyNode, Fn>();
  const loopBodies: AnyNode[] = [];
  const catches: AnyNode[] = [];
  const blockingIdents = new Set<string>();
  const blockingMethods = new Set<string>();
  /** Identifier → members whose calls block ('*' = all: a local module's namespace). */
  const blockingMembers = new Map<string, Set<string> | '*'>();
  const httpxClasses = new Set<string>();
  const k6Group = new Set<string>();
  const checkNames = new Set<string>();
  const topLevelNames = new Set<string>();

  const body = (ast as AnyNode).body as AnyNode[];
  for (const n of body) {
    if (n.type === 'ImportDeclaration') {
      const spec = String(n.source.value);
      const target = classifyImport(spec);
      for (const s of n.specifiers as AnyNode[]) {
        const local = s.local.name as string;
        topLevelNames.add(local);
        const imported = s.type === 'ImportSpecifier' ? keyName(s.imported, false) : null;
        if (target.kind === 'local') {
          if (s.type === 'ImportNamespaceSpecifier') blockingMembers.set(local, '*');
          else blockingIdents.add(local);
        } else if (spec === 'k6') {
          if (imported && K6_BLOCKING.includes(imported)) blockingIdents.add(local);
          if (imported === 'group') k6Group.add(local);
          if (imported === 'check') checkNames.add(local);
          if (!imported) blockingMembers.set(local, new Set(K6_BLOCKING));
        } else if (spec === 'k6/http') {
          if (imported && HTTP_BLOCKING.includes(imported)) blockingIdents.add(local);
          if (!imported) blockingMembers.set(local, new Set(HTTP_BLOCKING));
        } else if (target.kind === 'jslib' && target.file === 'httpx') {
          if (imported === 'Httpx' || !imported) httpxClasses.add(local);
        }
      }
    } else if (n.type === 'FunctionDeclaration' || n.type === 'ClassDeclaration') {
      if (n.id) topLevelNames.add(n.id.name);
    } else if (n.type === 'VariableDeclaration' || n.declaration?.type === 'VariableDeclaration') {
      const decl = n.type === 'VariableDeclaration' ? n : n.declaration;
      for (const d of decl.declarations) if (d.id.type === 'Identifier') topLevelNames.add(d.id.name);
    } else if (n.declaration?.id) topLevelNames.add(n.declaration.id.name);
  }

  const newFn = (node: AnyNode, parent: AnyNode | null, grand: AnyNode | null): Fn => {
    const f: Fn = {
      node,
      idents: [],
      methods: [],
      kind: 'function',
      params: (node.params as AnyNode[]).map(paramName),
      calls: [],
      blocking: false,
      capture: false,
    };
    if (node.id?.name) f.idents.push(node.id.name);
    if (!parent) return f;
    const key = parent.key as AnyNode | undefined;
    if ((parent.type === 'MethodDefinition' || parent.type === 'Property') && parent.value === node) {
      const name = keyName(key!, parent.computed);
      if (name) f.methods.push(name);
      if (parent.type === 'MethodDefinition' || parent.method || parent.kind !== 'init') {
        f.kind = parent.type === 'MethodDefinition' ? parent.kind : parent.kind === 'init' ? 'method' : parent.kind;
        f.asyncAt = key!.start;
        f.computedKey = parent.computed;
      }
      if (parent.type === 'Property' && grand?.type === 'ObjectExpression') f.propOfArgTo = grand;
    } else if (parent.type === 'PropertyDefinition' && parent.value === node) {
      const name = keyName(key!, parent.computed);
      if (name) f.methods.push(name);
    } else if (parent.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier') {
      f.idents.push(parent.id.name);
    } else if (parent.type === 'AssignmentExpression' && parent.right === node) {
      if (parent.left.type === 'Identifier') f.idents.push(parent.left.name);
      const m = memberName(parent.left);
      if (m) f.methods.push(m);
    } else if (parent.type === 'CallExpression' || parent.type === 'NewExpression') {
      const index = (parent.arguments as AnyNode[]).indexOf(node);
      if (index >= 0) f.argOf = { call: parent, index };
    }
    return f;
  };

  const httpxVars = new Set<string>();
  // Objects passed as arguments, to tie their function properties to the call (check's predicates).
  const objectArgOf = new Map<AnyNode, AnyNode>();

  const walk = (node: AnyNode, parent: AnyNode | null, grand: AnyNode | null, fn: Fn | null): void => {
    let inner = fn;
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const f = newFn(node, parent, grand);
        fns.push(f);
        fnOf.set(node, f);
        inner = f;
        break;
      }
      case 'CallExpression':
        fn?.calls.push(node);
        for (const a of node.arguments as AnyNode[]) if (a.type === 'ObjectExpression') objectArgOf.set(a, node);
        break;
      case 'AwaitExpression':
        if (fn) {
          awaits.push(node);
          awaitFn.set(node, fn);
        }
        break;
      case 'VariableDeclarator':
        if (
          node.id.type === 'Identifier' &&
          node.init?.type === 'NewExpression' &&
          node.init.callee.type === 'Identifier' &&
          httpxClasses.has(node.init.callee.name)
        )
          httpxVars.add(node.id.name);
        break;
      case 'CatchClause':
        catches.push(node);
        break;
    }
    if (LOOPS.has(node.type)) loopBodies.push(node.body);
    for (const k of Object.keys(node)) {
      if (k === 'loc' || k === 'type' || k === 'start' || k === 'end') continue;
      const v = node[k];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c.type === 'string') walk(c, node, parent, inner);
      } else if (v && typeof v === 'object' && typeof v.type === 'string') walk(v, node, parent, inner);
    }
  };
  walk(ast as AnyNode, null, null, null);
  for (const h of httpxVars) blockingMembers.set(h, new Set(HTTPX_BLOCKING));
  for (const f of fns) if (f.propOfArgTo) f.propOfArgTo = objectArgOf.get(f.propOfArgTo);

  const scriptIdents = new Set(fns.flatMap((f) => f.idents));
  const scriptMethods = new Set(fns.flatMap((f) => f.methods));
  const blockingFnIdents = new Set<string>();
  const isBlockingFnValue = (a: AnyNode): boolean =>
    (fnOf.get(a)?.blocking ?? false) || (a.type === 'Identifier' && blockingFnIdents.has(a.name));
  const arrayHelperOf = (call: AnyNode): string | undefined => {
    const m = memberName(call.callee);
    return m && ARRAY_METHODS.has(m) && call.arguments[0] && isBlockingFnValue(call.arguments[0]) ? m : undefined;
  };
  const callBlocks = (call: AnyNode): boolean => {
    const c = call.callee as AnyNode;
    if (c.type === 'Identifier') return blockingIdents.has(c.name);
    if (c.type !== 'MemberExpression') return false;
    const m = memberName(c);
    if (!m) return false;
    if (c.object.type === 'Identifier') {
      const members = blockingMembers.get(c.object.name);
      if (members === '*' || members?.has(m)) return true;
    }
    return blockingMethods.has(m) || arrayHelperOf(call) !== undefined;
  };
  /** A call to a function of this script (its parameters may receive a blocking function). */
  const scriptCallees = (call: AnyNode): Fn[] => {
    const c = call.callee as AnyNode;
    const name = c.type === 'Identifier' ? c.name : memberName(c);
    if (!name || !(scriptIdents.has(name) || scriptMethods.has(name))) return [];
    return fns.filter((f) => (c.type === 'Identifier' ? f.idents : f.methods).includes(name));
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const f of fns) {
      if (!f.blocking && !f.node.async && f.calls.some(callBlocks)) {
        f.blocking = changed = true;
        for (const n of f.idents) {
          blockingIdents.add(n);
          blockingFnIdents.add(n);
        }
        for (const n of f.methods) blockingMethods.add(n);
      }
      for (const call of f.calls) {
        (call.arguments as AnyNode[]).forEach((a, i) => {
          if (!isBlockingFnValue(a)) return;
          for (const g of scriptCallees(call)) {
            const p = g.params[i];
            if (p && !blockingIdents.has(p)) {
              blockingIdents.add(p);
              changed = true;
            }
          }
        });
      }
    }
  }

  escapes(fns, fnOf, blockingFnIdents, k6Group, checkNames, scriptCallees, arrayHelperOf, fail);

  const blockingCalls: BlockingCall[] = [];
  for (const f of fns) {
    const async = f.blocking || f.node.async;
    if (!async) continue;
    for (const call of f.calls)
      if (callBlocks(call)) {
        blockingCalls.push({ node: call, arrayHelper: arrayHelperOf(call) });
        f.capture = true;
      }
  }
  const fnAwaits = awaits.filter((a) => {
    const f = awaitFn.get(a)!;
    if (f.node.async) f.capture = true;
    return f.node.async;
  });
  for (const f of fns) if (f.blocking) f.capture = true;
  return { fns, blockingCalls, awaits: fnAwaits, loopBodies, catches, topLevelNames };
}

/** Every place a blocking function is handed to code that would not wait for it: a clear error instead. */
function escapes(
  fns: Fn[],
  fnOf: Map<AnyNode, Fn>,
  blockingFnIdents: Set<string>,
  k6Group: Set<string>,
  checkNames: Set<string>,
  scriptCallees: (call: AnyNode) => Fn[],
  arrayHelperOf: (call: AnyNode) => string | undefined,
  fail: (n: Node, msg: string) => never,
): void {
  const calleeText = (c: AnyNode): string =>
    c.type === 'Identifier' ? c.name : (memberName(c) ?? 'a function');
  const handOver = (call: AnyNode, index: number, at: AnyNode) => {
    const c = call.callee as AnyNode;
    const name = c.type === 'Identifier' ? c.name : memberName(c);
    if (name && (k6Group.has(name) || (name === 'group' && c.type === 'MemberExpression'))) return;
    if (name && CALLBACK_SINKS.has(name)) return;
    if (index === 0 && arrayHelperOf(call)) return;
    if (scriptCallees(call).length > 0) return;
    fail(
      at,
      `a function that makes requests or sleeps is passed to ${calleeText(c)}(), which would not wait for it ` +
        "(perfloop runs k6's blocking calls as awaits): call it directly, e.g. in a for…of loop",
    );
  };
  for (const f of fns) {
    if (f.blocking && f.argOf) handOver(f.argOf.call, f.argOf.index, f.node);
    if (f.blocking && f.propOfArgTo) {
      const c = f.propOfArgTo.callee as AnyNode;
      if (c.type === 'Identifier' && checkNames.has(c.name))
        fail(f.node, 'a check function cannot make requests or sleep: make the request before check()');
    }
    for (const call of f.calls)
      (call.arguments as AnyNode[]).forEach((a, i) => {
        if (a.type === 'Identifier' && blockingFnIdents.has(a.name) && !fnOf.has(a)) handOver(call, i, a);
      });
  }
}
