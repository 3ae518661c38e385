/**
 * `perf script` text (Linux perf): https://man7.org/linux/man-pages/man1/perf-script.1.html
 * Each sample is a header line — `comm pid[/tid] [cpu] [time:] [period] event:` — then, when recorded with
 * `-g`, its stack: one `address symbol+offset (module)` line per frame, leaf first, and a blank line. Without
 * `-g` the one frame follows the event on the header line, and perf pads the process name to 16 columns.
 * Read the way FlameGraph's stackcollapse-perf.pl and inferno's collapse-perf read it (their expected outputs are
 * the conformance target, bench/conformance-profiles.ts): the process name is the root frame, the first event in
 * the file is kept unless `--event` names another, and a sample weighs its period when the header has one (as
 * perf report, FlameGraph and inferno count) or 1 — `--weight samples|period` chooses. Symbols: perf-symbol.ts.
 * Streamed line by line; a line that is neither a header nor a stack line is skipped with a warning, as the peers
 * do, so one damaged line does not lose a recording. Stack lines, nearly all of a file, are read as bytes
 * (byte-lines.ts): the text after the address is interned by its bytes and split into frames once per distinct
 * text, so no string is made per frame line; headers and odd lines are decoded and parsed as text.
 */
import { PerfloopError } from '../../core/errors.js';
import { PathCursor } from '../../core/path-cursor.js';
import { ProfileBuilder, type Profile, type ProfileUnit } from '../../core/profile.js';
import { prepareDemangler } from './demangle.js';
import { perfFrames, splitStackLine } from './perf-symbol.js';
import { ByteInterner, eachByteLine } from './byte-lines.js';
import { eachLine, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

/** comm, pid, tid, cpu, time, period, event, the rest of the line (the frame when recorded without -g). */
const HEADER =
  /^\s*(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[(\d+)\]\s+)?(?:(\d+\.\d+):\s+)?(?:(\d+)\s+)?(\S+):(?:\s+(.*?))?\s*$/;
/** Events whose period is in nanoseconds: their samples weigh time. */
const TIME_EVENTS = /^(cpu-clock|task-clock)(:|$)/;

/** How the root frame names the process: FlameGraph's default, `--pid` and `--tid`. */
export type PerfProcessLabel = 'comm' | 'pid' | 'tid';

interface EventCount {
  samples: number;
}

export async function importPerfScript(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: perf-script`;
  await prepareDemangler();
  const label: PerfProcessLabel = options.perfProcessLabel ?? 'comm';
  let b: ProfileBuilder | null = null;
  let path: PathCursor | null = null; // the last sample's stack, root first: the next one shares its start
  let unit: ProfileUnit = 'samples';
  let byPeriod = false;
  let keptEvent = options.event;
  const events = new Map<string, EventCount>();
  let t0 = -1;
  const frameIds = new Map<string, number[]>();
  const rootIds = new Map<string, number>();
  // The current sample: frames arrive leaf first and are pushed root first at its end.
  let inSample = false;
  let expectStack = false;
  let root = '';
  let weight = 1;
  let time = 0;
  let leafFirst = new Int32Array(1024);
  let leafCount = 0;
  let samples = 0;
  let skippedLines = 0;
  let firstSkipped = 0;
  let firstSkippedText = '';
  let stackLines = 0;

  const builder = (): ProfileBuilder => b!;
  const framesOf = (sym: string, mod: string): number[] => {
    const key = `${sym}\u0000${mod}`;
    let ids = frameIds.get(key);
    if (ids === undefined) frameIds.set(key, (ids = perfFrames(sym, mod).map((f) => builder().frame(f))));
    return ids;
  };
  const pushFrames = (sym: string, mod: string) => pushIds(framesOf(sym, mod));
  const pushIds = (ids: readonly number[]) => {
    // Inline chains are outermost first; the sample is collected leaf first.
    if (leafCount + ids.length > leafFirst.length) {
      const next = new Int32Array(Math.max(leafFirst.length * 2, leafCount + ids.length));
      next.set(leafFirst.subarray(0, leafCount));
      leafFirst = next;
    }
    for (let i = ids.length - 1; i >= 0; i--) leafFirst[leafCount++] = ids[i];
  };
  const flush = () => {
    if (!inSample) return;
    inSample = false;
    const pb = builder();
    let rootId = rootIds.get(root);
    if (rootId === undefined) rootIds.set(root, (rootId = pb.frame({ name: root, kind: 'root' })));
    // Root first, frame d (d ≥ 1) is leafFirst[leafCount - d]; the frames the last stack has too are kept.
    const p = path!;
    const depth = leafCount + 1;
    let same = 0;
    if (p.length > 0 && p.frameAt(0) === rootId) {
      same = 1;
      while (same < depth && same < p.length && p.frameAt(same) === leafFirst[leafCount - same]) same++;
    }
    p.truncate(same);
    if (same === 0) p.push(rootId);
    for (let d = Math.max(same, 1); d < depth; d++) p.push(leafFirst[leafCount - d]);
    pb.sample(p.leaf, weight, unit === 'ns' ? time : undefined);
    samples++;
    leafCount = 0;
  };
  const skip = (line: number, text: string) => {
    if (skippedLines++ > 0) return;
    firstSkipped = line;
    firstSkippedText = text.trim().slice(0, 80);
  };
  /** A header line: starts a sample, or skips it when it is of another event. False when it is not a header. */
  const header = (text: string): boolean => {
    const h = HEADER.exec(text);
    if (!h) return false;
    const event = h[7];
    const count = events.get(event);
    if (count) count.samples++;
    else events.set(event, { samples: 1 });
    keptEvent ??= event;
    if (event !== keptEvent) {
      // Its stack lines, if any, are skipped with it.
      inSample = false;
      expectStack = !h[8];
      leafCount = 0;
      return true;
    }
    if (!b) {
      byPeriod = options.weight ? options.weight === 'period' : h[6] !== undefined;
      unit = byPeriod ? (TIME_EVENTS.test(event) ? 'ns' : 'count') : 'samples';
      // A node per stack line at most; a stack line is 20 bytes or more.
      b = new ProfileBuilder({ format: 'perf-script', name: src.name }, unit, {
        timed: unit === 'ns',
        expectedNodes: Math.ceil(src.size / 20),
      });
      path = new PathCursor(b, Math.min(Math.ceil(src.size / 20), 1 << 24));
    }
    inSample = true;
    const comm = h[1].trim();
    const pid = h[3] !== undefined ? h[2] : '?';
    const tid = h[3] ?? h[2];
    root = (label === 'tid' ? `${comm}-${pid}/${tid}` : label === 'pid' ? `${comm}-${pid}` : comm).replace(
      / /g,
      '_',
    );
    weight = byPeriod && h[6] !== undefined ? Number(h[6]) : 1;
    const seconds = h[5] !== undefined ? Number(h[5]) : 0;
    if (t0 < 0) t0 = seconds;
    time = Math.max(0, (seconds - t0) * 1e9);
    expectStack = !h[8];
    if (h[8]) {
      // Recorded without -g: the frame is on the header line, and the sample is complete.
      const frame = splitStackLine(h[8]);
      if (frame) pushFrames(frame.sym, frame.mod);
    }
    return true;
  };

  const onText = (text: string, line: number) => {
    if (text.length === 0) {
      flush();
      expectStack = false;
      return;
    }
    const c0 = text.charCodeAt(0);
    if (c0 === 35 /* # */ && !inSample) return;
    const indented = c0 === 32 || c0 === 9;
    // A stack line (indented, or not: some perf versions print them flush left) while a -g sample is open.
    if (expectStack && (indented || !HEADER.test(text))) {
      const frame = splitStackLine(text);
      if (frame) {
        stackLines++;
        if (inSample) pushFrames(frame.sym, frame.mod);
        return;
      }
      if (indented && !HEADER.test(text)) return skip(line, text);
    }
    flush();
    if (!header(text)) skip(line, text);
  };
  // Stack lines by their bytes: `<indent> ADDR <space> REST`, REST (symbol and module) interned; its frames are
  // worked out from the first line with that REST (splitStackLine depends on nothing else once ADDR is valid).
  const rests = new ByteInterner();
  const restFrames: (readonly number[])[] = [];
  const onBytes = (buf: Buffer, start: number, end: number, line: number) => {
    const c0 = buf[start];
    if (expectStack && end > start && (c0 === 32 || c0 === 9)) {
      let i = start;
      while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
      const addr = i;
      while (i < end && isAddressByte(buf[i])) i++;
      if (i > addr && i < end && (buf[i] === 32 || buf[i] === 9)) {
        while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
        let e = end;
        while (e > i && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
        if (e > i) {
          stackLines++;
          if (!inSample) return; // a line of a skipped event's stack
          const id = rests.id(buf, i, e);
          if (id === restFrames.length) {
            const frame = splitStackLine(buf.toString('utf8', start, end))!;
            restFrames.push(framesOf(frame.sym, frame.mod));
          }
          pushIds(restFrames[id]);
          return;
        }
      }
    }
    onText(buf.toString('utf8', start, end), line);
  };
  // UTF-16 text (a PowerShell redirect) is decoded line by line instead.
  if (!(await eachByteLine(src, onBytes, options.progress))) await eachLine(src, onText, options.progress);
  flush();
  const warnings: string[] = [];
  if (events.size > 1) {
    const others = [...events].filter(([e]) => e !== keptEvent).map(([e, c]) => `${e} (${c.samples})`);
    warnings.push(
      `several events in the file: kept ${keptEvent} (${events.get(keptEvent!)?.samples ?? 0} samples), skipped ${others.join(', ')}; choose with --event`,
    );
  }
  if (skippedLines > 0)
    warnings.push(`${skippedLines} line(s) not understood and skipped, the first at line ${firstSkipped}`);
  if (options.event && !events.has(options.event)) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: no samples of event ${JSON.stringify(options.event)}`,
      {
        hint: events.size ? `events in the file: ${[...events.keys()].join(', ')}` : undefined,
      },
    );
  }
  // A few odd lines are skipped as the peers skip them; mostly odd lines mean this is not perf script.
  if (skippedLines > 0 && skippedLines >= stackLines + samples) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: line ${firstSkipped}: cannot read stack line ${JSON.stringify(firstSkippedText)} (${skippedLines} such line(s))`,
    );
  }
  if (!b || samples === 0) {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: no samples in the file${skippedLines ? ` (${skippedLines} line(s) not understood, the first at line ${firstSkipped})` : ''}`,
    );
  }
  return (b as ProfileBuilder).build(
    warnings.length ? { warnings } : {},
    (path as PathCursor | null)?.nodeRepeats(),
  );
}

/** A byte of a perf address: hex digits and the `x` of `0x`. */
function isAddressByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 120;
}

export const perfScriptImporter: ProfileImporter = {
  format: 'perf-script',
  fileName: /\.(perf|perf-script|perfscript)(\.txt)?(\.gz)?$|^perf\.script$|^out\.perf$/i,
  // A header (time, period and cpu all optional) followed by a stack line, or two headers in a row (no -g).
  sniff: (_head, text) => {
    const lines = text.split('\n', 400).filter((l) => l.trim() !== '' && !l.startsWith('#'));
    for (let i = 0; i + 1 < Math.min(lines.length, 200); i++) {
      if (!HEADER.test(lines[i])) continue;
      const next = lines[i + 1];
      if (splitStackLine(next)?.mod || HEADER.test(next)) return true;
    }
    return false;
  },
  importFrom: importPerfScript,
};
