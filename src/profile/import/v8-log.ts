/**
 * V8 `--prof` logs: `node --prof app.js` writes `isolate-0x…-v8.log` (code-creation and tick lines; format:
 * https://v8.dev/docs/profile and V8's tools/tickprocessor.mjs, tools/logreader.mjs), read through Node's own
 * `node --prof-process --preprocess`, whose JSON is `{code: [{name, type, kind}], ticks: [{tm, vm, s}]}`. The
 * preprocessed JSON (what speedscope opens) is read as it is.
 *
 * Through Node's processor rather than a log parser of our own: the log's code-creation and move events, its
 * address arithmetic and C++ symbolisation (nm over the binary and shared libraries) change with V8 versions, and
 * the processor that ships with the node that wrote the log knows them. It is slow on big binaries (it runs nm on
 * node itself, seconds); a preprocessed file skips that.
 *
 * A tick's `s` lists (code index, pc offset) pairs, leaf first, -1 where the pc is in no known code; `tm` is µs
 * since start; `vm` is the VM state (1 = GC, 8 = idle, as V8's StateTag). Each tick weighs the time since the
 * tick before it, as speedscope reads it; the first, which has none, the sampling interval after it.
 */
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Profile } from '../../core/profile.js';
import { fileOfUrl } from './cpuprofile.js';
import { scanJson } from './json-stream.js';
import { readThrough } from './external-reader.js';
import { decodeText, displayName, head, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

interface V8Code {
  name?: unknown;
  type?: unknown;
  kind?: unknown;
}

const VM_GC = 1;
const VM_IDLE = 8;
/** The first lines of a raw log (V8 writes its version first; older ones start with shared libraries). */
const RAW_LOG = /^(v8-version|shared-library|code-creation|tick|profiler),/m;
/** The preprocessed JSON: `{"code": [` first, as `--prof-process --preprocess` writes it. */
const PREPROCESSED = /^\s*\{\s*"code"\s*:\s*\[/;
/** `crunch /app/x.js:3:10`, `~crunch file:///app/x.mjs:3:10` (older V8 mark the tier with ~ or *). */
const JS_NAME = /^[~*]?(.*?) ?(\S+):(\d+):(\d+)$/;
const IC_KINDS = new Set(['LoadIC', 'StoreIC', 'KeyedStoreIC', 'KeyedLoadIC', 'LoadGlobalIC', 'Handler']);

interface FrameSpec {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

/** What a code entry is called in a profile: JS with its location, C++ with its library, stubs by kind. */
function frameOfCode(code: V8Code | undefined, lib: string | undefined): FrameSpec {
  const name = typeof code?.name === 'string' ? code.name : '';
  switch (code?.type) {
    case 'JS': {
      const m = JS_NAME.exec(name);
      if (m)
        return { name: m[1] || '(anonymous)', file: fileOfUrl(m[2]), line: Number(m[3]), col: Number(m[4]) };
      return { name: name.replace(/^[~*]/, '') || '(anonymous)' };
    }
    case 'CPP':
      // nm's symbol type letter (older logs) and ELF symbol versions (`write@@GLIBC_2.2.5`) are not the name.
      return { name: name.replace(/^[tTwW] /, '').replace(/@@?[\w.]+$/, '') || '(c++)', file: lib };
    case 'SHARED_LIB': {
      const path = name.replace(/^"|"$/g, '');
      return { name: `[${path.replace(/.*\//, '')}]`, file: path };
    }
    case 'CODE': {
      const kind = typeof code.kind === 'string' ? code.kind : '';
      if (kind === 'BytecodeHandler') return { name: `(bytecode) ${name}` };
      if (kind === 'RegExp') return { name: `(regexp) ${name}` };
      if (IC_KINDS.has(kind)) return { name: `(IC) ${name}` };
      return { name: name || `(${kind || 'code'})` };
    }
    default:
      return { name: name || '(unknown code)' };
  }
}

class V8LogReader {
  private readonly codes: V8Code[] = [];
  /** The shared library each code entry belongs to: C++ symbols follow their library in the code list. */
  private readonly libs: (string | undefined)[] = [];
  private lib: string | undefined;
  private readonly ticks: { tm: number; vm: number; s: number[] }[] = [];

  code(c: unknown): void {
    const code = (c && typeof c === 'object' ? c : {}) as V8Code;
    if (code.type === 'SHARED_LIB' && typeof code.name === 'string')
      this.lib = code.name.replace(/^"|"$/g, '');
    this.codes.push(code);
    this.libs.push(code.type === 'CPP' ? this.lib : undefined);
  }

  tick(t: unknown): void {
    const tick = t as { tm?: unknown; vm?: unknown; s?: unknown } | null;
    const tm = Number(tick?.tm);
    if (!tick || !Number.isFinite(tm)) return;
    const s = Array.isArray(tick.s) ? tick.s.map(Number) : [];
    this.ticks.push({ tm, vm: Number(tick.vm), s });
  }

  build(name: string): Profile {
    const b = new ProfileBuilder({ format: 'v8-log', name }, 'us', { timed: true });
    const frameIds = new Map<number, number>();
    const frameOf = (id: number): number => {
      let f = frameIds.get(id);
      if (f === undefined) {
        const spec =
          id >= 0 && id < this.codes.length
            ? frameOfCode(this.codes[id], this.libs[id])
            : { name: `0x${id.toString(16)}` };
        frameIds.set(id, (f = b.frame(spec)));
      }
      return f;
    };
    const gc = b.frame({ name: '(garbage collector)', kind: 'gc' });
    const idle = b.frame({ name: '(idle)', kind: 'idle' });
    const program = b.frame({ name: '(program)', kind: 'program' });
    const ticks = this.ticks.sort((x, y) => x.tm - y.tm);
    const t0 = ticks.length ? ticks[0].tm : 0;
    const stack: number[] = [];
    for (let i = 0; i < ticks.length; i++) {
      const { tm, vm, s } = ticks[i];
      stack.length = 0;
      for (let k = s.length - 2; k >= 0; k -= 2) {
        const id = s[k];
        if (id === -1 || !Number.isInteger(id)) continue;
        stack.push(frameOf(id));
      }
      if (vm === VM_GC) stack.push(gc);
      if (stack.length === 0) stack.push(vm === VM_IDLE ? idle : program);
      const weight = i > 0 ? tm - ticks[i - 1].tm : ticks.length > 1 ? ticks[1].tm - tm : 1;
      b.sample(b.stack(stack), weight, tm - t0);
    }
    return b.build();
  }
}

/** The preprocessed JSON's two members that matter, each element read alone. */
const handlerFor = (reader: V8LogReader) => ({
  mode: (key: string) => (key === 'code' || key === 'ticks' ? ('elements' as const) : ('skip' as const)),
  element: (key: string, v: unknown) => (key === 'code' ? reader.code(v) : reader.tick(v)),
});

/** Runs `node --prof-process --preprocess` on a raw log and streams its JSON into the reader. */
async function preprocess(
  src: ProfileSource,
  reader: V8LogReader,
  where: string,
  options: ImportOptions,
): Promise<void> {
  const failed = (why: string) =>
    new PerfloopError('PROFILE_BAD_FORMAT', `${where}: node --prof-process failed (${why})`);
  await readThrough(
    src,
    {
      name: 'node --prof-process',
      command: process.execPath,
      args: (path) => ['--no-warnings', '--prof-process', '--preprocess', path],
      fileName: 'isolate-v8.log',
      failed,
    },
    options.signal,
    (stdout) => scanJson({ name: src.name, size: 0, raw: () => stdout }, handlerFor(reader), where),
  );
}

export async function importV8Log(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const where = `${src.name}: v8-log`;
  const reader = new V8LogReader();
  const text = decodeText(await head(src, 4096));
  if (PREPROCESSED.test(text)) await scanJson(src, handlerFor(reader), where, options.progress);
  else if (RAW_LOG.test(text)) await preprocess(src, reader, where, options);
  else
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${where}: not a V8 log (no v8-version/code-creation/tick lines) nor the JSON of \`node --prof-process --preprocess\``,
    );
  const p = reader.build(displayName(src));
  if (p.sampleCount === 0)
    throw new PerfloopError('PROFILE_EMPTY', `${where}: the log has no ticks`, {
      hint: 'the process ran too briefly to be sampled; run it longer under node --prof',
    });
  return p;
}

export const v8LogImporter: ProfileImporter = {
  format: 'v8-log',
  fileName: /^isolate-0x[0-9a-f]+-(\d+-)?v8\.log$|\.v8log(\.json)?$/i,
  // The code list comes first and can be megabytes long: its entries' types tell, not the ticks.
  sniff: (_b, text) =>
    RAW_LOG.test(text.slice(0, 4096)) ||
    (PREPROCESSED.test(text) && /"type"\s*:\s*"(SHARED_LIB|CPP|JS|CODE)"/.test(text)),
  importFrom: importV8Log,
};
