/**
 * Java Flight Recorder recordings (`java -XX:StartFlightRecording`, `jcmd PID JFR.dump`, async-profiler `-o jfr`).
 * Format: https://docs.oracle.com/en/java/javase/17/jfapi/ (events) and the JDK's `jfr` tool
 * (https://docs.oracle.com/en/java/javase/17/docs/specs/man/jfr.html), whose `print --json` is the document read
 * here (and accepted as saved by a user, no JDK needed): `{"recording":{"events":[{"type","values":{…,"stackTrace":{"frames":[leaf first]}}}]}}`.
 *
 * Read through the JDK's own `jfr` tool rather than a parser of our own: the binary format (chunks, constant
 * pools, a self-describing metadata event) has no published specification and changes between JDK releases, and
 * the tool that ships with the JVM that wrote the file is the reference reader. Its JSON is streamed: each event
 * is parsed alone, so a recording of millions of samples never becomes one string.
 *
 * Sample types (`--sample-type`): `cpu` — `jdk.ExecutionSample`, one sample each; `alloc` — the allocation
 * events (`jdk.ObjectAllocationSample` by its `weight`, async-profiler's `jdk.ObjectAllocationInNewTLAB` by
 * `tlabSize` and `…OutsideTLAB` by `allocationSize`) in bytes, the allocated class as the leaf frame. Default:
 * cpu when the recording has execution samples, else alloc. `--thread NAME` keeps one Java thread.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PerfloopError } from '../../core/errors.js';
import { ProfileBuilder, type Profile } from '../../core/profile.js';
import { StringDecoder } from 'node:string_decoder';
import { readThrough } from './external-reader.js';
import { bytes, decodeText, displayName, head, type ProfileSource } from './source.js';
import type { ImportOptions, ProfileImporter } from './types.js';

const CPU_EVENTS = ['jdk.ExecutionSample'];
/** Allocation events and the field that holds the bytes each one stands for. */
const ALLOC_EVENTS: Record<string, string> = {
  'jdk.ObjectAllocationSample': 'weight',
  'jdk.ObjectAllocationInNewTLAB': 'tlabSize',
  'jdk.ObjectAllocationOutsideTLAB': 'allocationSize',
};
/** Deep enough for any real Java stack; `jfr print` cuts at 5 frames unless told otherwise. */
const STACK_DEPTH = 2048;

/** The `jfr` tool: on PATH, else under $JAVA_HOME/bin. */
export function findJfrTool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  if (env.JAVA_HOME) dirs.unshift(join(env.JAVA_HOME, 'bin'));
  for (const d of dirs) if (existsSync(join(d, 'jfr'))) return join(d, 'jfr');
  return undefined;
}

interface JfrFrame {
  method?: { name?: string; type?: { name?: string } };
  lineNumber?: number;
  type?: string;
}
interface JfrEvent {
  type?: string;
  values?: {
    stackTrace?: { frames?: JfrFrame[]; truncated?: boolean } | null;
    sampledThread?: JfrThread | null;
    eventThread?: JfrThread | null;
    objectClass?: { name?: string } | null;
    [field: string]: unknown;
  };
}
interface JfrThread {
  javaName?: string | null;
  osName?: string | null;
}

/**
 * Splits the `jfr print --json` output into its events: the objects opening at depth 4 (document → recording →
 * events array → event), found by counting brackets outside strings, each handed to JSON.parse alone.
 */
const EVENT_DEPTH = 4;

export class JfrEventSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private start = -1;

  constructor(private readonly onEvent: (e: JfrEvent) => void) {}

  write(chunk: string): void {
    this.start = this.depth >= EVENT_DEPTH ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++this.depth === EVENT_DEPTH) this.start = i;
      } else if (c === 0x7d || c === 0x5d) {
        if (this.depth-- === EVENT_DEPTH && this.start >= 0) {
          this.parts.push(chunk.slice(this.start, i + 1));
          this.onEvent(JSON.parse(this.parts.join('')) as JfrEvent);
          this.parts = [];
          this.start = -1;
        }
      }
    }
    if (this.depth >= EVENT_DEPTH && this.start >= 0) this.parts.push(chunk.slice(this.start));
  }
}

/** `jdk/internal/misc/Unsafe` → `jdk.internal.misc.Unsafe`, as Java users read class names. */
const className = (internal: string) => internal.replace(/\//g, '.');

const PRIMITIVES: Record<string, string> = {
  B: 'byte',
  C: 'char',
  D: 'double',
  F: 'float',
  I: 'int',
  J: 'long',
  S: 'short',
  Z: 'boolean',
};

/** An allocated class as Java source spells it: `[B` → `byte[]`, `[Ljava/lang/String;` → `java.lang.String[]`. */
export function javaTypeName(internal: string): string {
  const dims = /^\[+/.exec(internal)?.[0].length ?? 0;
  if (dims === 0) return className(internal);
  const elem = internal.slice(dims);
  const base = PRIMITIVES[elem] ?? className(elem.replace(/^L(.*);$/, '$1'));
  return base + '[]'.repeat(dims);
}

/**
 * The source file a frame's class most likely comes from (`com/acme/Foo$Bar` → `com/acme/Foo.java`): JFR records
 * no file names. JDK classes (in a named `java.*`/`jdk.*` module) get their `jrt:/` module URL, so categories see
 * the standard library.
 */
function fileOf(internal: string): string {
  const outer = internal.replace(/\$.*$/, '');
  return /^(java|javax|jdk|sun|com\/sun)\//.test(outer) ? `jrt:/${outer}.java` : `${outer}.java`;
}

class Collector {
  readonly builder: ProfileBuilder;
  readonly frameIds = new Map<string, number>();
  count = 0;
  truncated = 0;
  private readonly stack: number[] = [];

  constructor(name: string, unit: 'samples' | 'bytes') {
    this.builder = new ProfileBuilder({ format: 'jfr', name }, unit);
  }

  private frame(f: JfrFrame): number {
    const str = (v: unknown, missing: string) => (typeof v === 'string' && v ? v : missing);
    const cls = str(f?.method?.type?.name, '(unknown class)');
    const method = str(f?.method?.name, '(unknown)');
    const key = `${cls}\u0000${method}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.builder.frame({ name: `${className(cls)}.${method}`, file: fileOf(cls) });
      this.frameIds.set(key, id);
    }
    return id;
  }

  add(e: JfrEvent, weight: number, leafClass?: string): void {
    const listed = e.values?.stackTrace?.frames;
    const frames = Array.isArray(listed) ? listed : [];
    if (e.values?.stackTrace?.truncated) this.truncated++;
    this.stack.length = 0;
    for (let i = frames.length - 1; i >= 0; i--) this.stack.push(this.frame(frames[i]));
    if (leafClass) this.stack.push(this.builder.frame({ name: `new ${javaTypeName(leafClass)}` }));
    if (this.stack.length === 0) this.stack.push(this.builder.frame({ name: '(no Java stack)' }));
    const node = this.builder.stack(this.stack);
    const leaf = frames[0];
    if (leaf && !leafClass && typeof leaf.lineNumber === 'number' && leaf.lineNumber > 0)
      this.builder.addLineWeight(node, leaf.lineNumber, weight);
    this.builder.sample(node, weight);
    this.count++;
  }
}

const threadName = (t: JfrThread | null | undefined) => t?.javaName || t?.osName || '';

/** The start of `jfr print --json` output, which users may have saved instead of the recording. */
const JFR_JSON = /^\s*\{\s*"recording"\s*:\s*\{\s*"events"\s*:/;

/** Reads the chunks of a `jfr print --json` document into the chosen sample type's profile. */
class JfrReader {
  readonly cpu: Collector;
  readonly alloc: Collector;
  private readonly thread: string | undefined;
  private readonly threads = new Set<string>();
  /** Before the thread filter: the default sample type is the recording's, not the thread's. */
  private cpuEvents = 0;
  readonly splitter = new JfrEventSplitter((e) => this.event(e));

  constructor(
    private readonly src: ProfileSource,
    private readonly options: ImportOptions,
  ) {
    const want = options.sampleType;
    if (want !== undefined && want !== 'cpu' && want !== 'alloc') {
      throw new PerfloopError('USAGE', `${src.name}: jfr: no sample type ${JSON.stringify(want)}`, {
        hint: 'a JFR recording has cpu (jdk.ExecutionSample) and alloc (allocation samples, bytes)',
      });
    }
    const name = displayName(src);
    this.cpu = new Collector(`${name} · cpu`, 'samples');
    this.alloc = new Collector(`${name} · alloc`, 'bytes');
    this.thread = options.thread && options.thread !== 'all' ? options.thread : undefined;
  }

  write(chunk: string): void {
    try {
      this.splitter.write(chunk);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new PerfloopError(
        'PROFILE_BAD_FORMAT',
        `${this.src.name}: jfr: an event is not valid JSON (${e.message})`,
      );
    }
  }

  private event(e: JfrEvent): void {
    if (typeof e !== 'object' || e === null) return;
    const values = typeof e.values === 'object' && e.values !== null ? e.values : undefined;
    const t = threadName(values?.sampledThread ?? values?.eventThread);
    this.threads.add(t);
    const isCpu = typeof e.type === 'string' && CPU_EVENTS.includes(e.type);
    if (isCpu) this.cpuEvents++;
    if (this.thread !== undefined && t !== this.thread) return;
    if (isCpu) this.cpu.add(e, 1);
    else if (typeof e.type === 'string' && Object.hasOwn(ALLOC_EVENTS, e.type)) {
      const w = Number(values?.[ALLOC_EVENTS[e.type]]);
      const cls = values?.objectClass?.name;
      if (Number.isFinite(w) && w > 0) this.alloc.add(e, w, typeof cls === 'string' ? cls : undefined);
    }
  }

  finish(): Profile {
    const want = this.options.sampleType;
    const chosen = want === 'alloc' || (want === undefined && this.cpuEvents === 0) ? this.alloc : this.cpu;
    if (chosen.count === 0) {
      const what = chosen === this.cpu ? 'execution samples (jdk.ExecutionSample)' : 'allocation samples';
      const where = this.thread !== undefined ? ` on thread ${JSON.stringify(this.thread)}` : '';
      throw new PerfloopError(
        'PROFILE_EMPTY',
        `${this.src.name}: jfr: the recording has no ${what}${where}`,
        {
          hint:
            this.thread !== undefined
              ? `threads: ${[...this.threads].filter(Boolean).slice(0, 20).join(', ')}`
              : 'record with -XX:StartFlightRecording:settings=profile (method sampling on) or async-profiler -e cpu -o jfr',
        },
      );
    }
    const warnings: string[] = [];
    if (chosen.truncated > 0)
      warnings.push(
        `${chosen.truncated} of ${chosen.count} stacks were cut by the recorder (raise stackdepth=…)`,
      );
    if (want === undefined && chosen === this.cpu && this.alloc.count > 0)
      warnings.push(`also has ${this.alloc.count} allocation samples: --sample-type alloc reads them`);
    return chosen.builder.build(warnings.length ? { warnings } : {});
  }
}

/** Runs `jfr print --json` on the recording and streams its output into the reader. */
async function printRecording(src: ProfileSource, reader: JfrReader, options: ImportOptions): Promise<void> {
  const tool = findJfrTool();
  if (!tool) {
    throw new PerfloopError(
      'PROFILER_MISSING',
      `${src.name}: jfr: reading a Java Flight Recorder file needs the JDK's \`jfr\` tool, not found on PATH or in $JAVA_HOME/bin`,
      {
        hint: 'install a JDK 11 or later (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME; or give the output of `jfr print --json` instead',
      },
    );
  }
  await readThrough(
    src,
    {
      name: 'jfr print',
      command: tool,
      args: (path) => [
        'print',
        '--json',
        '--stack-depth',
        String(STACK_DEPTH),
        '--events',
        [...CPU_EVENTS, ...Object.keys(ALLOC_EVENTS)].join(','),
        path,
      ],
      fileName: 'recording.jfr',
      failed: (why) =>
        new PerfloopError('PROFILE_BAD_FORMAT', `${src.name}: jfr: not a readable JFR recording (${why})`),
    },
    options.signal,
    async (stdout) => {
      stdout.setEncoding('utf8');
      for await (const chunk of stdout as AsyncIterable<string>) reader.write(chunk);
    },
  );
}

const hasChunkMagic = (b: Buffer) =>
  b.length >= 4 && b[0] === 0x46 && b[1] === 0x4c && b[2] === 0x52 && b[3] === 0;

export async function importJfr(src: ProfileSource, options: ImportOptions = {}): Promise<Profile> {
  const reader = new JfrReader(src, options);
  const first = await head(src, 256);
  if (hasChunkMagic(first)) {
    await printRecording(src, reader, options);
  } else if (JFR_JSON.test(decodeText(first))) {
    // Saved `jfr print --json` output: read as it is, no JDK needed.
    const decoder = new StringDecoder('utf8');
    for await (const chunk of bytes(src, options.progress)) reader.write(decoder.write(chunk));
    reader.write(decoder.end());
  } else {
    throw new PerfloopError(
      'PROFILE_BAD_FORMAT',
      `${src.name}: jfr: not a JFR recording (no "FLR" chunk header) nor the JSON of \`jfr print --json\``,
    );
  }
  return reader.finish();
}

export const jfrImporter: ProfileImporter = {
  format: 'jfr',
  fileName: /\.jfr(\.gz)?$/i,
  // Every chunk begins with the magic "FLR\0" (jdk.jfr.internal.ChunkHeader); or the tool's own JSON of one.
  sniff: (b, text) => hasChunkMagic(b) || JFR_JSON.test(text),
  importFrom: importJfr,
};
