/**
 * Folded ("collapsed") stacks, the format of Brendan Gregg's FlameGraph (https://github.com/brendangregg/FlameGraph,
 * stackcollapse-*.pl), inferno, py-spy `--format raw` and async-profiler `collapsed`: one line per distinct stack,
 * frames root first separated by `;`, then a space and the count — `main;handle;parse 12`. The differential
 * variant of difffolded.pl has two counts, `stack before after`. Frame decorations understood:
 * py-spy's `func (file.py:12)` (the line executing, so it becomes a line weight of the leaf, not part of the
 * function), async-profiler's type suffixes `_[j]` `_[i]` `_[k]` `_[0]` `_[1]`.
 * Read line by line, never as one string.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type FrameKind, type Profile } from '../../core/profile.js';
import { V8_PSEUDO_FRAMES } from './cpuprofile.js';
import { eachLine, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

const WITH_LOCATION = /^(.*\S) \(([^()]*?):(\d+)(?::(\d+))?\)$/;
const TYPE_SUFFIX = /_\[[jik01c]\]$/;
const COUNT = /^\d+(\.\d+)?$/;

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

async function readFolded(src: ProfileSource, options: ImportOptions): Promise<FoldedResult> {
  const column = options.column ?? 'after';
  const a = new ProfileBuilder({ format: 'folded', name: src.name }, 'samples');
  // A decorated frame's line is the line executing when the sample was taken (py-spy), not the function's: the
  // function is (name, file) and the leaf's line goes to the line weights, as for V8's positionTicks.
  const frameIds = new Map<string, number>();
  const frameLines = new Map<string, number>();
  const frameOf = (text: string) => {
    let id = frameIds.get(text);
    if (id === undefined) {
      const f = parseFoldedFrame(text);
      id = f.kind === 'root' ? -1 : a.frame({ name: f.name, file: f.file, kind: f.kind });
      frameIds.set(text, id);
      if (f.line) frameLines.set(text, f.line);
    }
    return id;
  };
  // Folded files are usually sorted, so a line shares most of its stack with the previous one: reuse that path.
  let prevStack = '\u0000'; // matches no line
  const prevNodes: number[] = [];
  let twoCounts = false;
  let data = 0;
  let invalid = 0;
  let firstInvalid = '';
  const where = `${src.name}: folded`;
  await eachLine(
    src,
    (text, line) => {
      // `#` and `//` comments (speedscope skips both).
      if (text.length === 0 || text.charCodeAt(0) === 35 /* # */ || text.startsWith('//')) return;
      const sp = text.lastIndexOf(' ');
      if (sp <= 0 || !COUNT.test(text.slice(sp + 1))) {
        // One odd line is skipped with a warning, as speedscope does; a file of odd lines is not folded.
        if (invalid++ === 0) {
          const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
          firstInvalid = `line ${line}: no sample count at the end of ${JSON.stringify(shown)}`;
        }
        return;
      }
      let count = Number(text.slice(sp + 1));
      let stackEnd = sp;
      const sp2 = text.lastIndexOf(' ', sp - 1);
      if (sp2 > 0 && COUNT.test(text.slice(sp2 + 1, sp))) {
        // difffolded.pl: "stack before after"
        twoCounts = true;
        if (column === 'before') count = Number(text.slice(sp2 + 1, sp));
        stackEnd = sp2;
      }
      data++;
      // The frames this stack shares with the previous line are found by comparing the two texts, without
      // splitting: in a sorted (or sampled-in-order) file most of a 100-frame line is the previous line's.
      const stack = text.slice(0, stackEnd);
      const max = Math.min(stack.length, prevStack.length);
      let shared = 0; // frames fully shared
      let from = 0; // where the first unshared frame starts
      let c = 0;
      for (; c < max; c++) {
        const ch = stack.charCodeAt(c);
        if (ch !== prevStack.charCodeAt(c)) break;
        if (ch === 59 /* ; */) {
          shared++;
          from = c + 1;
        }
      }
      if (c === max) {
        // One stack is a prefix of the other: the last frame of the shorter is shared when it ends there.
        const a2 = c === stack.length ? stack : prevStack;
        const b2 = a2 === stack ? prevStack : stack;
        if (b2.length === c || b2.charCodeAt(c) === 59) {
          shared++;
          from = c + 1;
        }
      }
      let node = shared > 0 ? prevNodes[shared - 1] : -1;
      prevNodes.length = shared;
      let leafName: string | undefined;
      for (let start = from; start <= stack.length;) {
        let end = stack.indexOf(';', start);
        if (end < 0) end = stack.length;
        leafName = stack.slice(start, end);
        const f = frameOf(leafName);
        if (f >= 0) node = a.node(node, f);
        prevNodes.push(node);
        start = end + 1;
      }
      leafName ??= stack.slice(stack.lastIndexOf(';') + 1);
      prevStack = stack;
      if (count > 0) {
        a.sample(node, count);
        const line = frameLines.get(leafName);
        if (line && node >= 0) a.addLineWeight(node, line, count);
      }
    },
    options.progress,
  );
  if (invalid > 0 && invalid >= data)
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: ${firstInvalid}`, {
      hint: 'each line must be "frame;frame;frame COUNT"',
    });
  if (data === 0) throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no stacks in the file`);
  const warnings =
    invalid > 0 ? [`${invalid} line(s) without a count skipped, the first at ${firstInvalid}`] : [];
  return {
    profile: a.build({
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
