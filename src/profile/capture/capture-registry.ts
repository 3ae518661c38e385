/**
 * The profilers `perfloop run` can attach to a non-Node target, by name, and which one `--profiler auto` picks for
 * each runtime (first available wins). Adding a profiler is adding one file and one entry here.
 * `node` is the in-process agent, which the run session starts itself; `none` profiles nothing.
 */
import type { RuntimeName } from '../../target/runtime.js';
import { JfrJcmdCapture } from './jfr-jcmd.js';
import { perfAvailable, PerfAttachCapture } from './perf-attach.js';
import { findPprof, PprofHttpCapture } from './pprof-http.js';
import { pySpyAvailable, PySpyAttachCapture } from './py-spy-attach.js';
import type { CaptureContext, ProfilerChoice, ProfilerName, WindowCapture } from './runtime-capture.js';

interface ProfilerEntry {
  /** A capture for this target, or the reason there is none. */
  create(ctx: CaptureContext): Promise<WindowCapture | string>;
}

const PROFILERS: Partial<Record<ProfilerName, ProfilerEntry>> = {
  pprof: {
    async create(ctx) {
      const base = await findPprof(ctx);
      return base
        ? new PprofHttpCapture(ctx, base)
        : `no net/http/pprof handlers at ${ctx.pprofUrl ?? ctx.serviceOrigin ?? '(no URL)'}/debug/pprof/ (import _ "net/http/pprof", or pass --pprof URL)`;
    },
  },
  jfr: {
    async create(ctx) {
      return ctx.runtime.name === 'java' ? new JfrJcmdCapture(ctx) : `JFR needs a Java target; this one is ${ctx.runtime.name}`;
    },
  },
  'py-spy': {
    async create(ctx) {
      return pySpyAvailable() ? new PySpyAttachCapture(ctx) : 'py-spy is not installed (pip install py-spy)';
    },
  },
  perf: {
    async create(ctx) {
      return perfAvailable() ? new PerfAttachCapture(ctx) : 'perf is not installed (apt-get install linux-perf)';
    },
  },
};

/** `--profiler auto`: the profilers to try for each runtime, best first. */
export const AUTO_PROFILERS: Record<RuntimeName, readonly ProfilerName[]> = {
  node: ['node'],
  go: ['pprof', 'perf'],
  java: ['jfr', 'perf'],
  python: ['py-spy', 'perf'],
  native: ['perf'],
};

/**
 * The capture for the target's runtime, plus a note for each profiler passed over (why). Null capture: the agent
 * (node), `none`, or nothing available.
 */
export async function chooseCapture(choice: ProfilerChoice, ctx: CaptureContext): Promise<{ capture: WindowCapture | null; notes: string[] }> {
  const names = choice === 'auto' ? AUTO_PROFILERS[ctx.runtime.name] : [choice];
  const notes: string[] = [];
  for (const name of names) {
    const entry = PROFILERS[name];
    if (!entry) return { capture: null, notes };
    const made = await entry.create(ctx);
    if (typeof made !== 'string') return { capture: made, notes };
    notes.push(`${name}: ${made}`);
  }
  return { capture: null, notes };
}

/** Python's hint when perf saw only the interpreter's C frames. */
export function pythonHint(version: string | null): string | null {
  const [major, minor] = (version ?? '').split('.').map(Number);
  if (major === 3 && minor >= 12) return null;
  return `Python ${version ?? '(unknown version)'}: perf sees CPython's C functions, not your Python functions — install py-spy (pip install py-spy) or run the service on Python 3.12+, whose perf trampoline perfloop turns on (PYTHONPERFSUPPORT=1)`;
}
