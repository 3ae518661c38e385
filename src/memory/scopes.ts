import type { HeapGraph } from './graph/heap-graph.js';

/**
 * Where JS code and variables live in a V8 heap: a closure's script (closure → shared function info → script,
 * whose node is named by the script's URL), the scope a variable lives in (a `system / Context`), and a
 * readable name for the slot that holds an object (`global.x`, "module variable `cache` in app.mjs").
 */
export class Scopes {
  private readonly scriptOfClosure = new Map<number, string>();
  private readonly scriptOfContext = new Map<number, string>();
  private byScriptId?: Map<number, string>;

  constructor(private readonly g: HeapGraph) {}

  /** The script URL of a closure ('' when unknown). */
  closureScript(closure: number): string {
    let s = this.scriptOfClosure.get(closure);
    if (s !== undefined) return s;
    s = '';
    const { internal } = this.g.L.edge;
    const shared = this.g.child(closure, 'shared', internal);
    if (shared >= 0) {
      let script = this.g.child(shared, 'script_or_debug_info', internal);
      if (script < 0) script = this.g.child(shared, 'script', internal);
      if (script >= 0 && this.g.className(script) !== '(system)') s = this.g.name(script);
      else if (script >= 0) {
        // A DebugInfo in between: its script is one more step away.
        const inner = this.g.child(script, 'script', internal);
        if (inner >= 0) s = this.g.name(inner);
      }
    }
    this.scriptOfClosure.set(closure, s);
    return s;
  }

  /** The script a scope belongs to: that of any closure created in it. */
  contextScript(context: number): string {
    let s = this.scriptOfContext.get(context);
    if (s !== undefined) return s;
    s = '';
    const g = this.g;
    const { firstRetainer, retainerNode } = g.retainers();
    for (let r = firstRetainer[context]; r < firstRetainer[context + 1] && !s; r++) {
      const from = retainerNode[r];
      if (g.type(from) === g.L.node.closure && g.child(from, 'context', g.L.edge.internal) === context) s = this.closureScript(from);
    }
    this.scriptOfContext.set(context, s);
    return s;
  }

  /** True for a module's or script's top-level scope (its parent is the native context). */
  isTopLevelScope(context: number): boolean {
    const prev = this.g.child(context, 'previous', this.g.L.edge.internal);
    return prev >= 0 && /NativeContext|ScriptContext/.test(this.g.name(prev));
  }

  /** Script URL by the script id V8 uses in `locations`. */
  scriptById(id: number): string {
    if (!this.byScriptId) {
      this.byScriptId = new Map();
      const { locations, meta } = this.g.data;
      const f = meta.locationFields;
      const LF = f.length;
      const obj = f.indexOf('object_index');
      const sid = f.indexOf('script_id');
      if (LF > 0 && obj >= 0 && sid >= 0) {
        for (let i = 0; i < locations.length; i += LF) {
          const script = locations[i + sid];
          if (this.byScriptId.has(script)) continue;
          const node = locations[i + obj];
          if (this.g.type(node) !== this.g.L.node.closure) continue;
          const name = this.closureScript(node);
          if (name) this.byScriptId.set(script, name);
        }
      }
    }
    return this.byScriptId.get(id) ?? `script #${id}`;
  }

  /** "file.mjs:12:5" for a closure (1-based, as editors count), or ''. */
  closureLocation(closure: number): string {
    const loc = this.g.locationOf(closure);
    if (!loc) return '';
    return `${displayScript(this.scriptById(loc.scriptId))}:${loc.line + 1}:${loc.column + 1}`;
  }

  /**
   * What holds n, in words a developer recognises: `global.auditTrail`, "variable `sessions` (module scope of
   * app.mjs)", or `Holder.edge` for anything else.
   */
  holderOf(n: number): string {
    const g = this.g;
    const parent = g.data.parentNode[n];
    const edge = g.data.parentEdge[n];
    if (parent < 0) return '(root)';
    const name = g.edgeName(edge);
    if (g.className(parent) === 'system / Context') {
      const script = this.contextScript(parent);
      const where = script ? `${this.isTopLevelScope(parent) ? 'module scope' : 'function scope'} of ${displayScript(script)}` : 'a closure scope';
      return `variable \`${name}\` (${where})`;
    }
    if (isGlobalObject(g, parent)) return `global.${name}`;
    return `${g.className(parent)}${g.edgeHasIndex(edge) ? `[${name}]` : `.${name}`}`;
  }
}

/** The root's non-synthetic children are the global objects (V8 links them with shortcut edges). */
export function isGlobalObject(g: HeapGraph, n: number): boolean {
  for (let e = g.firstEdge(g.root), end = g.endEdge(g.root); e < end; e++) {
    if (g.edgeTo(e) === n && g.edgeType(e) === g.L.edge.shortcut) return true;
  }
  return false;
}

/** file:///srv/app/cache.mjs → /srv/app/cache.mjs (URLs other than file: stay as they are). */
export function displayScript(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return decodeURIComponent(url.slice(7));
    } catch {
      return url.slice(7);
    }
  }
  return url;
}
