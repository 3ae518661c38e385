/**
 * CPython 3.12's perf trampoline (`python -X perf`, PYTHONPERFSUPPORT=1,
 * https://docs.python.org/3.12/howto/perf_profiling.html) writes one /tmp/perf-PID.map symbol per Python function,
 * `py::qualname:/path/file.py`, on a small trampoline that calls the interpreter for that function's frame. In perf
 * samples the Python function is therefore not the leaf: the interpreter's C functions (_PyEval_EvalFrameDefault,
 * dict lookups, …) are above it. This charges those interpreter frames to the Python function that runs them, and
 * names the function as the user wrote it, with its file — so `burn_hot (service.py)` is the hot function, not
 * `_PyEval_EvalFrameDefault`. C extensions (json's _json.so, psycopg) and the kernel keep their own frames.
 */
import { ProfileBuilder, type Frame, type Profile } from '../../core/profile.js';

const TRAMPOLINE = /^py::(.+?):(.+)$/;
/** The interpreter itself: the python binary or libpython. */
const INTERPRETER_FILE = /(^|\/)(python3(\.\d+)?|libpython3[\d.]*\.so[\d.]*)$/;

/** A trampoline's frame: still `py::…`, or as the perf-script importer names it (the function, its .py file). */
const isPythonFunction = (f: Frame) => TRAMPOLINE.test(f.name) || /\.py$/.test(f.file ?? '');

export function hasPythonTrampolines(p: Profile): boolean {
  return p.frames.some(isPythonFunction);
}

export function foldPythonTrampolines(p: Profile): Profile {
  const b = new ProfileBuilder({ ...p.meta }, p.unit, { timed: p.sampleTime !== undefined });
  const ids = p.frames.map((f: Frame) => {
    const m = TRAMPOLINE.exec(f.name);
    return b.frame(m ? { name: m[1], file: m[2], kind: 'code' } : f);
  });
  const isTrampoline = p.frames.map(isPythonFunction);
  // perf lists functions inlined into an interpreter function as `(inlined)`: they are that function's work.
  const isInterpreter = p.frames.map((f) => INTERPRETER_FILE.test(f.file ?? '') || f.file === 'inlined');
  for (let i = 0; i < p.sampleCount; i++) {
    const stack = p.stackOf(p.sampleNode[i]);
    let lastPy = -1;
    for (let k = 0; k < stack.length; k++) if (isTrampoline[stack[k]]) lastPy = k;
    const kept: number[] = [];
    for (let k = 0; k < stack.length; k++) {
      const f = stack[k];
      // Between and above the Python functions, the interpreter's frames are how Python runs them, not work of
      // their own; below the first Python function (interpreter start-up, the main loop) they stay.
      if (lastPy >= 0 && isInterpreter[f] && !isTrampoline[f] && k > stack.findIndex((s) => isTrampoline[s])) continue;
      kept.push(ids[f]);
    }
    b.sample(b.stack(kept), p.sampleWeight[i], p.sampleTime?.[i]);
  }
  return b.build({ warnings: [...(p.meta.warnings ?? []), "CPython interpreter frames charged to the Python function they ran (perf trampoline)"] });
}

/**
 * perf names a function inlined into another one `(inlined)` instead of its binary: in a Python service without
 * the trampoline (3.11 and older) most of the interpreter's time is in such frames (`binary_op`, `pymalloc_alloc`,
 * `x_mul` inlined into `_PyEval_EvalFrameDefault`), and a frame without its binary reads as the user's code. Each
 * one gets the binary of the function it was inlined into — the nearest frame towards the root with a real file.
 */
export function inlinedIntoTheirBinary(p: Profile): Profile {
  if (!p.frames.some((f) => f.file === 'inlined')) return p;
  const b = new ProfileBuilder({ ...p.meta }, p.unit, { timed: p.sampleTime !== undefined });
  const ids = p.frames.map((f: Frame) => b.frame(f));
  for (let i = 0; i < p.sampleCount; i++) {
    let file: string | undefined;
    const stack = p.stackOf(p.sampleNode[i]).map((id) => {
      const f = p.frames[id];
      if (f.file !== 'inlined') {
        file = f.file;
        return ids[id];
      }
      return file ? b.frame({ ...f, file }) : ids[id];
    });
    b.sample(b.stack(stack), p.sampleWeight[i], p.sampleTime?.[i]);
  }
  return b.build();
}
