/**
 * Callgrind profiles (valgrind --tool=callgrind, xdebug's profiler, php-spx, KCachegrind's format). Spec:
 * https://valgrind.org/docs/manual/cl-format.html — `events:` names the cost columns; `fl=`/`fn=` set the current
 * file and function, whose cost lines (`<position…> <cost…>`) are self cost; `cfl=`/`cfi=`/`cfn=` name a callee
 * and `calls=<count> <target>` announces that the next cost line is that call's inclusive cost. Names may be
 * compressed (`(3) name` defines id 3, `(3)` reuses it) and positions relative (`+2`, `-1`, `*`).
 *
 * A call graph is not a call tree: how a function's callees share its time is not recorded per caller. As
 * speedscope does, each caller's share of a function is assumed to split among that function's callees in the
 * proportions of the whole graph; a cycle stops at the first repeat (its time stays with the caller), and subtrees
 * under 1/10,000 of the heaviest function are not expanded (they would multiply nodes without changing the
 * picture). One event is read: `--event NAME`, default the first; xdebug's `Time_(10ns)` becomes ns, and
 * `Memory_(bytes)` bytes.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Profile, type ProfileUnit } from '../../core/profile.js';
import { displayName, eachLine, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

interface Fn {
  name: string;
  file: string;
  /** Self cost plus the inclusive cost of every call it makes, as the graph records them. */
  total: number;
  /** Inclusive cost of the calls to each callee. */
  callees: Map<Fn, number>;
}

const NAME_DEF = /^\((\d+)\)\s*(.*)$/;
const NAME_USE = /^\((\d+)\)$/;
const POSITION = /^(\*|[+-]?(0x[0-9a-fA-F]+|\d+))$/;

class CallgraphReader {
  private events: string[] | undefined;
  private positions = 1;
  private eventIndex = 0;
  private readonly files = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private readonly objects = new Map<string, string>();
  private file = '';
  private fn: Fn | undefined;
  private calleeFile: string | undefined;
  private calleeName: string | undefined;
  private callPending = false;
  readonly fns = new Map<string, Fn>();

  constructor(
    private readonly where: string,
    private readonly event: string | undefined,
  ) {}

  get eventNames(): readonly string[] {
    return this.events ?? [];
  }

  get chosenEvent(): string {
    return this.events?.[this.eventIndex] ?? '';
  }

  private fail(line: number, what: string): never {
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${this.where}: line ${line}: ${what}`);
  }

  private name(value: string, table: Map<string, string>, line: number): string {
    const use = NAME_USE.exec(value);
    if (use) {
      const known = table.get(use[1]);
      if (known === undefined) this.fail(line, `name (${use[1]}) used before it is defined`);
      return known;
    }
    const def = NAME_DEF.exec(value);
    if (def) {
      table.set(def[1], def[2]);
      return def[2];
    }
    return value;
  }

  private fnOf(name: string, file: string): Fn {
    const key = `${file}\u0000${name}`;
    let f = this.fns.get(key);
    if (!f) this.fns.set(key, (f = { name, file, total: 0, callees: new Map() }));
    return f;
  }

  line(text: string, n: number): void {
    if (text === '' || text.startsWith('#')) return;
    const eq = text.indexOf('=');
    const colon = text.indexOf(':');
    if (eq > 0 && /^[a-z]+$/.test(text.slice(0, eq)))
      return this.assignment(text.slice(0, eq), text.slice(eq + 1).trim(), n);
    if (colon > 0 && /^[a-zA-Z][\w ]*$/.test(text.slice(0, colon)))
      return this.header(text.slice(0, colon), text.slice(colon + 1).trim(), n);
    this.cost(text, n);
  }

  private header(key: string, value: string, n: number): void {
    if (key === 'positions') this.positions = Math.max(1, value.split(/\s+/).length);
    else if (key === 'events') {
      if (this.events) this.fail(n, 'a second "events:" line');
      this.events = value.split(/\s+/).filter(Boolean);
      if (this.event !== undefined) {
        this.eventIndex = this.events.indexOf(this.event);
        if (this.eventIndex < 0)
          throw new PerfloopError('USAGE', `${this.where}: no event ${JSON.stringify(this.event)}`, {
            hint: `this profile has ${this.events.join(', ')}`,
          });
      }
    }
  }

  private assignment(key: string, value: string, n: number): void {
    switch (key) {
      case 'fl':
        this.file = this.name(value, this.files, n);
        this.fn = undefined;
        return;
      case 'fi':
      case 'fe':
        this.name(value, this.files, n); // inlined code's file: the function stays the same
        return;
      case 'fn':
        this.fn = this.fnOf(this.name(value, this.names, n), this.file);
        return;
      case 'cfl':
      case 'cfi':
        this.calleeFile = this.name(value, this.files, n);
        return;
      case 'cfn':
        this.calleeName = this.name(value, this.names, n);
        return;
      case 'calls':
        this.callPending = true;
        return;
      case 'ob':
      case 'cob':
        this.name(value, this.objects, n);
        return;
      default:
        return; // jump=, jcnd= and future keys carry no cost of their own
    }
  }

  /** The previous cost line's columns, absolute: what `*`, `+n` and `-n` are relative to. */
  private previous: number[] = [];

  private cost(text: string, n: number): void {
    const parts = text.trim().split(/\s+/);
    if (!this.events) this.fail(n, 'a cost line before the "events:" line');
    // Positions may be relative (subposition compression); some writers compress the costs the same way.
    const columns = parts.map((part, i) => {
      if (!POSITION.test(part))
        this.fail(n, `not a position or cost line: ${JSON.stringify(text.slice(0, 60))}`);
      if (part === '*') return this.previous[i] ?? 0;
      const v = Number(part.replace(/^[+-]/, ''));
      return part[0] === '+'
        ? (this.previous[i] ?? 0) + v
        : part[0] === '-'
          ? (this.previous[i] ?? 0) - v
          : v;
    });
    this.previous = columns;
    const value = columns[this.positions + this.eventIndex] ?? 0;
    const caller = this.fn ?? this.fnOf('(unknown)', this.file);
    if (this.callPending) {
      const callee = this.fnOf(this.calleeName ?? '(unknown)', this.calleeFile ?? this.file);
      caller.callees.set(callee, (caller.callees.get(callee) ?? 0) + value);
      this.callPending = false;
      this.calleeFile = undefined;
      this.calleeName = undefined;
    }
    caller.total += value;
  }
}

const UNITS: Record<string, [ProfileUnit, number]> = {
  'Time_(10ns)': ['ns', 10],
  'Memory_(bytes)': ['bytes', 1],
};

/** The call graph as a call tree (see the file comment for the assumption it makes). */
function toProfile(r: CallgraphReader, name: string, warnings: string[]): Profile {
  const [unit, scale] = UNITS[r.chosenEvent] ?? ['count', 1];
  const b = new ProfileBuilder({ format: 'callgrind', name: `${name} · ${r.chosenEvent}` }, unit);
  const frames = new Map<Fn, number>();
  const frameOf = (f: Fn) => {
    let id = frames.get(f);
    if (id === undefined)
      frames.set(f, (id = b.frame({ name: f.name, file: f.file && f.file !== '???' ? f.file : undefined })));
    return id;
  };
  let heaviest = 0;
  for (const f of r.fns.values()) heaviest = Math.max(heaviest, f.total);
  const onStack = new Set<Fn>();
  /** Expands `f` under `parent` with `weight` of it; returns the weight actually placed. */
  const visit = (f: Fn, parent: number, weight: number): number => {
    if (onStack.has(f) || weight < 1e-4 * heaviest || f.total <= 0) return 0;
    const node = b.node(parent, frameOf(f));
    onStack.add(f);
    let self = weight;
    for (const [callee, inclusive] of f.callees) self -= visit(callee, node, weight * (inclusive / f.total));
    onStack.delete(f);
    if (self > 0) b.sample(node, self * scale);
    return weight;
  };
  const called = new Set<Fn>();
  for (const f of r.fns.values()) for (const c of f.callees.keys()) called.add(c);
  for (const f of r.fns.values()) if (!called.has(f)) visit(f, -1, f.total);
  return b.build(warnings.length ? { warnings } : {});
}

export async function importCallgrind(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: callgrind`;
  const r = new CallgraphReader(where, options.event);
  await eachLine(src, (text, n) => r.line(text, n), options.progress);
  if (r.eventNames.length === 0) throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no "events:" line`);
  const others = r.eventNames.filter((e) => e !== r.chosenEvent);
  const warnings =
    others.length > 0 && options.event === undefined
      ? [`event ${r.chosenEvent}; also ${others.join(', ')} (--event NAME)`]
      : [];
  const p = toProfile(r, displayName(src), warnings);
  if (p.sampleCount === 0)
    throw new PerfloopError('PROFILE_EMPTY', `${where}: no cost recorded for ${r.chosenEvent}`);
  return p;
}

export const callgrindImporter: ProfileImporter = {
  format: 'callgrind',
  fileName: /^callgrind\.out(\.[\w-]+)*$|\.callgrind$/,
  sniff: (_b, text) =>
    /^(# callgrind format|version: ?1\s*$|creator: |events: )/m.test(text.slice(0, 4096)) &&
    /^c?fn=/m.test(text),
  importFrom: importCallgrind,
};
