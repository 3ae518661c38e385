/**
 * `perf script` text (Linux perf, after `perf record -g`): https://man7.org/linux/man-pages/man1/perf-script.1.html
 * Each sample is a header line — `comm pid/tid [cpu] time: [period] event:` — followed by its stack, one
 * indented `address symbol+offset (dso)` line per frame, leaf first, and a blank line. The same parse as
 * FlameGraph's stackcollapse-perf.pl, streamed line by line. Symbols from JIT perf maps are unpacked: Node's
 * `--perf-basic-prof` (`JS:*fib file:///app.js:3:10`) and Python 3.12's perf trampolines (`py::fib:/app.py`).
 * The process name is the root frame, so several processes in one recording stay apart.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Frame, type FrameKind, type Profile, type ProfileUnit } from '../../core/profile.js';
import { fileOfUrl } from './cpuprofile.js';
import { eachLine, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

const HEADER =
  /^(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[(\d+)\]\s+)?(?:(\d+\.\d+):\s+)?(?:(\d+)\s+)?(\S+):(?:\s+(.*))?$/;
const STACK_LINE = /^\s*([0-9a-fA-F]+)\s+(.*?)\s*\((.*)\)\s*$/;
const STACK_LINE_NO_DSO = /^\s*([0-9a-fA-F]+)\s+(.+?)\s*$/;
const V8_JIT =
  /^(?:LazyCompile|Function|JS|InterpretedFunction|Builtin|BytecodeHandler|Stub|Script|RegExp):[*~^+]?(.*?)\s+(\S+?):(\d+)(?::(\d+))?$/;
const PY_TRAMPOLINE = /^py::(.+?):(.+)$/;
/** Events whose period is in nanoseconds: their samples weigh time. */
const TIME_EVENTS = /^(cpu-clock|task-clock)(:|$)/;

type PerfFrame = Omit<Frame, 'kind'> & { kind: FrameKind };

/** One stack line's symbol and dso → a frame. */
export function parsePerfSymbol(rawSym: string, dso: string): PerfFrame {
  const sym = rawSym.replace(/\+0x[0-9a-fA-F]+$/, '');
  const jit = V8_JIT.exec(sym);
  if (jit) {
    const name = jit[1] || '(anonymous)';
    return {
      name,
      file: fileOfUrl(jit[2]),
      line: Number(jit[3]) || undefined,
      col: jit[4] ? Number(jit[4]) : undefined,
      kind: 'code',
    };
  }
  const py = PY_TRAMPOLINE.exec(sym);
  if (py) return { name: py[1], file: py[2], kind: 'code' };
  const file = dso && dso !== 'unknown' ? dso : undefined;
  return { name: sym || '[unknown]', file, kind: 'code' };
}

export async function importPerfScript(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: perf-script`;
  let a: ProfileBuilder | null = null;
  let unit: ProfileUnit = 'samples';
  let t0 = -1;
  const frameIds = new Map<string, number>();
  const commIds = new Map<string, number>();
  // The current sample: its root-to-leaf frames are collected leaf first, then pushed reversed.
  let inSample = false;
  let comm = '';
  let weight = 1;
  let time = 0;
  const leafFirst: number[] = [];
  let samples = 0;

  const assembler = (): ProfileBuilder => a!;
  const frameOf = (sym: string, dso: string) => {
    const key = `${sym}\u0000${dso}`;
    let id = frameIds.get(key);
    if (id === undefined) frameIds.set(key, (id = assembler().frame(parsePerfSymbol(sym, dso))));
    return id;
  };
  const flush = () => {
    if (!inSample) return;
    inSample = false;
    const b = assembler();
    let commId = commIds.get(comm);
    if (commId === undefined) commIds.set(comm, (commId = b.frame({ name: comm, kind: 'root' })));
    let node = b.node(-1, commId);
    for (let i = leafFirst.length - 1; i >= 0; i--) node = b.node(node, leafFirst[i]);
    b.sample(node, weight, unit === 'ns' ? time : undefined);
    samples++;
    leafFirst.length = 0;
  };

  await eachLine(
    src,
    (text, line) => {
      if (text.length === 0) return flush();
      const c0 = text.charCodeAt(0);
      if (c0 === 35 /* # */ && !inSample) return;
      if (c0 === 32 || c0 === 9) {
        if (!inSample)
          throw new PerfloopError(
            'PROFILE_BAD_FORMAT',
            `${where}: line ${line}: a stack line outside a sample (no header line before it)`,
          );
        const m = STACK_LINE.exec(text) ?? STACK_LINE_NO_DSO.exec(text);
        if (!m)
          throw new PerfloopError(
            'PROFILE_BAD_FORMAT',
            `${where}: line ${line}: cannot read stack line ${JSON.stringify(text.trim().slice(0, 80))}`,
          );
        leafFirst.push(frameOf(m[2], m[3] ?? ''));
        return;
      }
      flush();
      const h = HEADER.exec(text);
      if (!h)
        throw new PerfloopError(
          'PROFILE_BAD_FORMAT',
          `${where}: line ${line}: not a sample header ${JSON.stringify(text.slice(0, 80))}`,
        );
      if (!a) {
        unit = h[6] !== undefined ? (TIME_EVENTS.test(h[7]) ? 'ns' : 'count') : 'samples';
        a = new ProfileBuilder({ format: 'perf-script', name: src.name }, unit, { timed: unit === 'ns' });
      }
      inSample = true;
      comm = h[1];
      weight = unit === 'samples' ? 1 : Number(h[6] ?? 1);
      const seconds = h[5] !== undefined ? Number(h[5]) : 0;
      if (t0 < 0) t0 = seconds;
      time = Math.max(0, (seconds - t0) * 1e9);
      // Without -g, the one frame is on the header line itself: "… cpu-clock:  55d0 main+0x10 (/app)".
      const rest = h[8] ? STACK_LINE.exec(` ${h[8]}`) : null;
      if (rest) leafFirst.push(frameOf(rest[2], rest[3]));
    },
    options.progress,
  );
  flush();
  if (!a || samples === 0) throw new PerfloopError('PROFILE_BAD_FORMAT', `${where}: no samples in the file`);
  return (a as ProfileBuilder).build();
}

export const perfScriptImporter: ProfileImporter = {
  format: 'perf-script',
  fileName: /\.(perf|perf-script|perfscript)(\.txt)?(\.gz)?$|^perf\.script$|^out\.perf$/i,
  sniff: (_head, text) =>
    /^\S.*\s\d+(\/\d+)?\s+(\[\d+\]\s+)?\d+\.\d+:\s+(\d+\s+)?\S+:.*\n\s+[0-9a-fA-F]+\s/m.test(text),
  importFrom: importPerfScript,
};
