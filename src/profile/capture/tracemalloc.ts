/**
 * Python memory by allocating line, when the user asks for it (`perfloop run --tracemalloc`): the target starts
 * with a sitecustomize module on PYTHONPATH (https://docs.python.org/3/library/site.html) that turns on
 * tracemalloc (https://docs.python.org/3/library/tracemalloc.html) before the service's own code runs, and a
 * daemon thread that answers perfloop's requests — a file `<name>.request` in a private folder — with
 * `snapshot.statistics('lineno')` (the top lines by live bytes, with block counts) as `<name>.json`. A thread
 * rather than a signal: a signal handler runs only when the main thread gets back to Python code, which a service
 * blocked in `accept()` or a C extension may not do for long. The start and end snapshots' difference names what
 * grew by file:line — the same `memory.growth` rule as Go's heap profiles and Java's class histograms.
 *
 * Only the first Python process of the target claims the folder; workers it forks inherit tracing but not the
 * answering thread, so a pre-fork server (gunicorn) reports its master's heap.
 *
 * tracemalloc costs: every allocation records its traceback (here one frame), which slows allocation-heavy code
 * severalfold; that is why it is opt-in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { GrowthRow } from './runtime-capture.js';

/** Lines listed per snapshot: a growing line must be among them at the end to be named. */
const TOP_LINES = 500;
const POLL_MS = 50;
/** A snapshot of a large heap takes a while (it walks every traced block). */
const SNAPSHOT_TIMEOUT_MS = 20_000;

const SITECUSTOMIZE = String.raw`# Written by perfloop (--tracemalloc): tracemalloc from start-up, snapshots on request.
import os, sys, threading, time, json, tracemalloc

def _perfloop_tracemalloc():
    folder = os.environ.get("PERFLOOP_TRACEMALLOC_DIR")
    if not folder:
        return
    # The first Python of the target's tree is the service; Pythons it starts (not forks) leave it alone.
    try:
        os.close(os.open(os.path.join(folder, "owner"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except OSError:
        return
    tracemalloc.start(1)
    top = int(os.environ.get("PERFLOOP_TRACEMALLOC_TOP", "${TOP_LINES}"))

    def answer(name):
        snapshot = tracemalloc.take_snapshot().filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
        stats = snapshot.statistics("lineno")
        current, peak = tracemalloc.get_traced_memory()
        rows = [{"file": s.traceback[0].filename, "line": s.traceback[0].lineno, "size": s.size, "count": s.count} for s in stats[:top]]
        out = os.path.join(folder, name + ".json")
        with open(out + ".tmp", "w") as f:
            json.dump({"pid": os.getpid(), "tracedBytes": current, "peakBytes": peak, "lines": len(stats), "top": rows}, f)
        os.replace(out + ".tmp", out)

    def serve():
        while True:
            try:
                for entry in os.listdir(folder):
                    if entry.endswith(".request"):
                        os.remove(os.path.join(folder, entry))
                        answer(entry[: -len(".request")])
            except FileNotFoundError:
                return
            except Exception as e:
                sys.stderr.write("perfloop tracemalloc: %s\n" % e)
            time.sleep(0.05)

    threading.Thread(target=serve, name="perfloop-tracemalloc", daemon=True).start()
    # Then the sitecustomize this one shadows, if the environment has one.
    import importlib.machinery, importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", [p for p in sys.path if os.path.abspath(p or ".") != here])
    if spec and spec.loader:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

_perfloop_tracemalloc()
`;

export interface TracemallocLine {
  file: string;
  line: number;
  size: number;
  count: number;
}

export interface TracemallocSnapshot {
  pid: number;
  tracedBytes: number;
  peakBytes: number;
  lines: number;
  top: TracemallocLine[];
}

export class TracemallocSnapshots {
  private readonly dir = mkdtempSync(join(tmpdir(), 'perfloop-tracemalloc-'));
  readonly source = "tracemalloc snapshots (statistics('lineno'), live blocks) at the window's start and end";

  constructor() {
    writeFileSync(join(this.dir, 'sitecustomize.py'), SITECUSTOMIZE);
  }

  /** The target's environment: our folder first on PYTHONPATH (before the user's own `pythonPath`). */
  env(pythonPath: string | undefined): Record<string, string> {
    return { PYTHONPATH: [this.dir, pythonPath].filter(Boolean).join(delimiter), PERFLOOP_TRACEMALLOC_DIR: this.dir };
  }

  /** Asks the service for a snapshot and waits for it; null when it does not answer (not Python, `python -I`/`-E`). */
  async take(name: string, signal?: AbortSignal): Promise<TracemallocSnapshot | null> {
    const out = join(this.dir, `${name}.json`);
    writeFileSync(join(this.dir, `${name}.request`), '');
    const until = Date.now() + SNAPSHOT_TIMEOUT_MS;
    while (Date.now() < until && !signal?.aborted) {
      if (existsSync(out)) return JSON.parse(readFileSync(out, 'utf8')) as TracemallocSnapshot;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return null;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Live bytes and blocks per allocating line at the window's start and end, largest growth first. */
export function tracemallocGrowth(before: TracemallocSnapshot, after: TracemallocSnapshot): GrowthRow[] {
  const key = (l: TracemallocLine) => `${l.file}:${l.line}`;
  const b = new Map(before.top.map((l) => [key(l), l]));
  const a = new Map(after.top.map((l) => [key(l), l]));
  return [...new Set([...b.keys(), ...a.keys()])]
    .map((name) => ({
      name,
      bytesBefore: b.get(name)?.size ?? 0,
      bytesAfter: a.get(name)?.size ?? 0,
      countBefore: b.get(name)?.count ?? 0,
      countAfter: a.get(name)?.count ?? 0,
    }))
    .sort((x, y) => y.bytesAfter - y.bytesBefore - (x.bytesAfter - x.bytesBefore));
}
