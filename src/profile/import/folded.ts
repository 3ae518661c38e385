/**
 * Folded ("collapsed") stacks, the format of Brendan Gregg's FlameGraph (https://github.com/brendangregg/FlameGraph,
 * stackcollapse-*.pl), inferno, py-spy `--format raw` and async-profiler `collapsed`: one line per distinct stack,
 * frames root first separated by `;`, then a space and the count — `main;handle;parse 12`. The differential
 * variant of difffolded.pl has two counts, `stack before after`. Frame decorations understood:
 * py-spy's `func (file.py:12)` (the line executing, so it becomes a line weight of the leaf, not part of the
 * function), async-profiler's type suffixes `_[j]` `_[i]` `_[k]` `_[0]` `_[1]`.
 * Read as bytes line by line, never as one string (byte-lines.ts).
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile } from '../../core/profile.js';
import { V8_PSEUDO_FRAMES } from './cpuprofile.js';
import { ByteInterner, eachByteLine, parseCount } from './byte-lines.js';
import { eachLine, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

const WITH_LOCATION = /^(.*\S) \(([^()]*?):(\d+)(?::(\d+))?\)$/;
const TYPE_SUFFIX = /_\[[jik01c]\]$/;

export interface FoldedFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
  kind: FrameKind;
}

/** One frame of a folded line, decorations parsed. */
export function parseFoldedFrame(text: string): FoldedFrame {
  const name = text.replace(TYPE_SUFFIX, '');
  // The kernel annotation is all a folded file says about a module: keep it, so categories still see kernel code.
  if (text.endsWith('_[k]')) return { name, file: '[kernel.kallsyms]', kind: 'code' };
  const pseudo = V8_PSEUDO_FRAMES[name];
  if (pseudo) return { name, kind: pseudo };
  const m = WITH_LOCATION.exec(name);
  if (m)
    return {
      name: m[1],
      file: m[2] || undefined,
      line: Number(m[3]) || undefined,
      col: m[4] ? Number(m[4]) : undefined,
      kind: 'code',
    };
  return { name, kind: 'code' };
}

interface FoldedResult {
  profile: Profile;
  twoCounts: boolean;
}

/** How one folded line's parts are handed to the stack assembler: the stack's frames and its count(s). */
class FoldedAssembler {
  readonly a: ProfileBuilder;
  // A decorated frame's line is the line executing when the sample was taken (py-spy), not the function's: the
  // function is (name, file) and the leaf's line goes to the line weights, as for V8's positionTicks.
  private readonly interner = new ByteInterner();
  private ourFrame: Int32Array = new Int32Array(1024); // interned text → profile frame (-1: a root marker)
  private frameLine: Int32Array = new Int32Array(1024);
  private resolved = 0; // interned texts below this have their frame
  // Folded files are usually sorted, so a line shares most of its stack with the previous one: that path reused.
  private prev: Uint8Array = new Uint8Array(0);
  private prevStart = 0;
  private prevEnd = -1; // no previous line
  private prevNodes: Int32Array = new Int32Array(256);
  private prevDepth = 0;

  constructor(src: ProfileSource) {
    this.a = new ProfileBuilder({ format: 'folded', name: src.name }, 'samples');
  }

  private frameOf(buf: Uint8Array, start: number, end: number): number {
    const t = this.interner.id(buf, start, end);
    if (t >= this.ourFrame.length) {
      this.ourFrame = grow(this.ourFrame);
      this.frameLine = grow(this.frameLine);
    }
    if (t === this.resolved) {
      const f = parseFoldedFrame(this.interner.text(t));
      this.ourFrame[t] = f.kind === 'root' ? -1 : this.a.frame({ name: f.name, file: f.file, kind: f.kind });
      this.frameLine[t] = f.line ?? 0;
      this.resolved++;
    }
    return t;
  }

  /** The stack `buf[start, end)` (frames separated by `;`), sampled `count` times. */
  add(buf: Uint8Array, start: number, end: number, count: number): void {
    // The frames this stack shares with the previous line are found by comparing the two byte ranges, without
    // splitting: in a sorted (or sampled-in-order) file most of a 100-frame line is the previous line's.
    const prev = this.prev;
    const ps = this.prevStart;
    const len = end - start;
    const plen = this.prevEnd - ps;
    const max = Math.min(len, plen);
    let shared = 0; // frames fully shared
    let from = 0; // offset where the first unshared frame starts
    let c = 0;
    for (; c < max; c++) {
      const ch = buf[start + c];
      if (ch !== prev[ps + c]) break;
      if (ch === 59 /* ; */) {
        shared++;
        from = c + 1;
      }
    }
    if (c === max && plen >= 0) {
      // One stack is a prefix of the other: the last frame of the shorter is shared when it ends there.
      const longer = c === len ? (c === plen ? -1 : prev[ps + c]) : buf[start + c];
      if (longer === -1 || longer === 59) {
        shared++;
        from = c + 1;
      }
    }
    if (shared > this.prevDepth) shared = this.prevDepth;
    let node = shared > 0 ? this.prevNodes[shared - 1] : -1;
    let depth = shared;
    let leaf = -1;
    for (let s = start + from; s <= end;) {
      let e = s;
      while (e < end && buf[e] !== 59) e++;
      leaf = this.frameOf(buf, s, e);
      const f = this.ourFrame[leaf];
      if (f >= 0) node = this.a.node(node, f);
      if (depth === this.prevNodes.length) this.prevNodes = grow(this.prevNodes);
      this.prevNodes[depth++] = node;
      s = e + 1;
    }
    this.prevDepth = depth;
    this.prev = buf;
    this.prevStart = start;
    this.prevEnd = end;
    if (count > 0) {
      this.a.sample(node, count);
      if (leaf < 0) {
        let s = end;
        while (s > start && buf[s - 1] !== 59) s--;
        leaf = this.frameOf(buf, s, end);
      }
      const line = this.frameLine[leaf];
      if (line && node >= 0) this.a.addLineWeight(node, line, count);
    }
  }

  /** The previous line's bytes live in a buffer the reader reuses: keep a copy before it changes. */
  detach(): void {
    if (this.prevEnd >= 0) {
      this.prev = this.prev.slice(this.prevStart, this.prevEnd);
      this.prevEnd -= this.prevStart;
      this.prevStart = 0;
    }
  }
}

function grow(a: Int32Array): Int32Array {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

async function readFolded(src: ProfileSource, options: ImportOptions): Promise<FoldedResult> {
  const column = options.column ?? 'after';
  const asm = new FoldedAssembler(src);
  let twoCounts = false;
  let data = 0;
  let invalid = 0;
  let firstInvalid = '';
  const where = `${src.name}: folded`;
  const bad = (text: string, line: number) => {
    // One odd line is skipped with a warning, as speedscope does; a file of odd lines is not folded.
    if (invalid++ === 0) {
      const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
      firstInvalid = `line ${line}: no sample count at the end of ${JSON.stringify(shown)}`;
    }
  };
  let lastBuf: Buffer | undefined;
  const onBytes = (buf: Buffer, start: number, end: number, line: number) => {
    if (buf !== lastBuf) {
      if (lastBuf) asm.detach();
      lastBuf = buf;
    }
    // `#` and `//` comments (speedscope skips both).
    if (end === start || buf[start] === 35 /* # */ || (buf[start] === 47 && buf[start + 1] === 47)) return;
    let sp = end - 1;
    while (sp > start && buf[sp] !== 32) sp--;
    let count = sp > start ? parseCount(buf, sp + 1, end) : NaN;
    if (Number.isNaN(count)) return bad(buf.toString('utf8', start, end), line);
    let stackEnd = sp;
    let sp2 = sp - 1;
    while (sp2 > start && buf[sp2] !== 32) sp2--;
    if (sp2 > start) {
      const before = parseCount(buf, sp2 + 1, sp);
      if (!Number.isNaN(before)) {
        // difffolded.pl: "stack before after"
        twoCounts = true;
        if (column === 'before') count = before;
        stackEnd = sp2;
      }
    }
    data++;
    asm.add(buf, start, stackEnd, count);
  };
  const utf8 = await eachByteLine(src, onBytes, options.progress);
  if (!utf8) {
    // UTF-16 (a PowerShell redirect): decoded, then the same assembler over each line's UTF-8 bytes.
    await eachLine(
      src,
      (text, line) => {
        lastBuf = undefined;
        asm.detach();
        const b = Buffer.from(text, 'utf8');
        onBytes(b, 0, b.length, line);
      },
      options.progress,
    );
  }
  if (invalid > 0 && invalid >= data)
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: ${firstInvalid}`, {
      hint: 'each line must be "frame;frame;frame COUNT"',
    });
  if (data === 0) throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no stacks in the file`);
  const warnings =
    invalid > 0 ? [`${invalid} line(s) without a count skipped, the first at ${firstInvalid}`] : [];
  return {
    profile: asm.a.build({
      ...(twoCounts ? { format: 'folded-diff' } : {}),
      ...(warnings.length ? { warnings } : {}),
    }),
    twoCounts,
  };
}

/**
 * A folded file. A two-count file gives its `after` column unless `options.column` says `before`; its
 * meta.format is then `folded-diff`, so a caller can show the difference.
 */
export async function importFolded(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  return (await readFolded(src, options)).profile;
}

export const foldedImporter: ProfileImporter = {
  format: 'folded',
  fileName: /\.(folded|collapsed|stacks)(\.txt)?(\.gz)?$/i,
  // First non-empty line: frames and a count, and not perf script's indented stack lines.
  sniff: (_head, text) => {
    const first = text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('//'));
    return (
      !!first &&
      /^\S.*\s\d+(\.\d+)?(\s\d+(\.\d+)?)?\r?$/.test(first) &&
      !/^\s/.test(first) &&
      !/:\s+\d+\s+\S+:/.test(first)
    );
  },
  importFrom: importFolded,
};
