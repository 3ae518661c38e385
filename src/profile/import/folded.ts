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
import { PathCursor } from '../../core/path-cursor.js';
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
  // Folded files are usually sorted, so a line shares most of its stack with the previous one: that part is
  // found by comparing the line with the previous one, four bytes at a time (both copied into word-aligned
  // buffers), and its frames, text ids and nodes are the previous line's — kept per depth, so a shared frame is
  // neither split, nor hashed, nor looked up. In a 70 MB file of 100-frame lines, 93 % of the bytes are shared.
  private line = new Uint8Array(1024);
  private line32 = new Int32Array(this.line.buffer);
  private prev = new Uint8Array(1024);
  private prev32 = new Int32Array(this.prev.buffer);
  private prevLen = -1; // no previous line
  /**
   * Per depth of the previous line: where its frame ends (offset of the `;` or the line's end), text id, and the
   * path's length in nodes up to it (root markers make no node).
   */
  private ends: Int32Array = new Int32Array(256);
  private texts: Int32Array = new Int32Array(256);
  private pathLengths: Int32Array = new Int32Array(256);
  private depth = 0;
  readonly path: PathCursor;

  constructor(src: ProfileSource) {
    // A node per new frame of a line: at most one per 2 bytes (`a;`), in real files one per 30–60 bytes.
    const expectedNodes = Math.ceil(src.size / 16);
    this.a = new ProfileBuilder({ format: 'folded', name: src.name }, 'samples', { expectedNodes });
    this.path = new PathCursor(this.a, Math.min(expectedNodes, 1 << 24));
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
  add(buf: Buffer, start: number, end: number, count: number): void {
    const len = end - start;
    if (len + 4 > this.line.length) this.widen(len + 4);
    // The previous line becomes `prev`, this one is copied into `line` (one native copy, then it may be compared
    // as words); the bytes after its end are zeroed so a word at the end never holds stale bytes.
    const line = this.prev;
    const prev = this.line;
    const line32 = this.prev32;
    const prev32 = this.line32;
    this.line = line;
    this.prev = prev;
    this.line32 = line32;
    this.prev32 = prev32;
    buf.copy(line, 0, start, end); // no Buffer view made per line, as subarray() would
    line[len] = line[len + 1] = line[len + 2] = line[len + 3] = 0;
    const plen = this.prevLen;
    const max = len < plen ? len : plen;
    let c = 0; // bytes in common
    if (max > 0) {
      const words = max >> 2;
      let w = 0;
      while (w < words && line32[w] === prev32[w]) w++;
      c = w << 2;
      while (c < max && line[c] === prev[c]) c++;
    }
    // Frames of the previous line shared: those ending before `c` (the `;` after them is common too), and the one
    // ending at `c` when both lines end or have a `;` there.
    const ends = this.ends;
    let lo = 0;
    let hi = plen < 0 ? 0 : this.depth;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] < c) lo = mid + 1;
      else hi = mid;
    }
    let shared = lo;
    if (
      shared < this.depth &&
      ends[shared] === c &&
      (c === len ? c === plen || prev[c] === 59 : c === plen && line[c] === 59)
    )
      shared++;
    const path = this.path;
    path.truncate(shared > 0 ? this.pathLengths[shared - 1] : 0);
    let depth = shared;
    for (let s = shared > 0 ? ends[shared - 1] + 1 : 0; s <= len;) {
      let e = s;
      while (e < len && line[e] !== 59) e++;
      const t = this.frameOf(line, s, e);
      const f = this.ourFrame[t];
      if (f >= 0) path.push(f);
      if (depth === this.ends.length) this.deepen();
      this.ends[depth] = e;
      this.texts[depth] = t;
      this.pathLengths[depth++] = path.length;
      s = e + 1;
    }
    const node = path.leaf;
    this.depth = depth;
    this.prevLen = len;
    if (count > 0) {
      this.a.sample(node, count);
      const lineNo = this.frameLine[this.texts[depth - 1]];
      if (lineNo && node >= 0) this.a.addLineWeight(node, lineNo, count);
    }
  }

  private widen(n: number): void {
    let size = this.line.length;
    while (size < n) size *= 2;
    const line = new Uint8Array(size);
    const prev = new Uint8Array(size);
    line.set(this.line);
    prev.set(this.prev);
    this.line = line;
    this.prev = prev;
    this.line32 = new Int32Array(line.buffer);
    this.prev32 = new Int32Array(prev.buffer);
  }

  private deepen(): void {
    this.ends = grow(this.ends);
    this.texts = grow(this.texts);
    this.pathLengths = grow(this.pathLengths);
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
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
  const onBytes = (buf: Buffer, start: number, end: number, line: number) => {
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
    profile: asm.a.build(
      {
        ...(twoCounts ? { format: 'folded-diff' } : {}),
        ...(warnings.length ? { warnings } : {}),
      },
      asm.path.nodeRepeats(),
    ),
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
