/**
 * Turns the last lines a failed target printed into the one-line excerpt an error message quotes.
 * The line that says what went wrong ("Error: Cannot find module …", "ModuleNotFoundError: …") must
 * stay visible even when a long stack trace follows it, and the whole excerpt stays short enough
 * for one terminal line or a CI annotation.
 */

export const SUMMARY_MAX_CHARS = 300;

/**
 * The line that says what went wrong, best guess first: an error NAME followed by a colon (`Error: …`,
 * `TypeError: …`, `ModuleNotFoundError: …`, `java.lang.IllegalStateException: …`) — the colon skips
 * Node's echo of the throwing source line (`throw new TypeError('…')`); then any line that says error,
 * panic or fatal (`error: …`, `panic: …`, `FATAL …`).
 */
const ERROR_LINES = [/(^|[^A-Za-z])[A-Za-z.]*(Error|Exception)\b:/, /\b(error|panic|fatal)\b/i];
/** Stack frames (Node, Java `at …`; Python `File "…", line N`) say where, not what: drop them. */
const STACK_FRAME = /^(at\s|File\s".*",\s+line\s\d+)/;

/**
 * Joins the relevant lines with ' | '; '' when there is nothing to quote. With an error line, the
 * excerpt starts there: what runtimes print before it is the echo of the throwing source line
 * (`node:internal/…:1228 | throw err; | ^`) or a traceback header — noise in a one-line message.
 */
export function summarizeOutput(lines: readonly string[], maxChars = SUMMARY_MAX_CHARS): string {
  const kept = lines.map((l) => l.trim()).filter((l) => l !== '' && !STACK_FRAME.test(l));
  for (const pattern of ERROR_LINES) {
    const errorAt = kept.findIndex((l) => pattern.test(l));
    if (errorAt >= 0) return fitForward(kept.slice(errorAt), maxChars);
  }
  return fitBackward(kept, maxChars);
}

/** From the error line onwards: what went wrong first, then whatever detail still fits. */
function fitForward(lines: string[], maxChars: number): string {
  let out = '';
  for (const line of lines) {
    const candidate = out === '' ? line : `${out} | ${line}`;
    if (candidate.length > maxChars) return out === '' ? cut(line, maxChars) : `${out} | …`;
    out = candidate;
  }
  return out;
}

/** No recognisable error line: the most recent output is the most relevant. */
function fitBackward(lines: string[], maxChars: number): string {
  let out = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const candidate = out === '' ? lines[i] : `${lines[i]} | ${out}`;
    if (candidate.length > maxChars) return out === '' ? cut(lines[i], maxChars) : `… | ${out}`;
    out = candidate;
  }
  return out;
}

function cut(line: string, maxChars: number): string {
  return `${line.slice(0, maxChars - 1)}…`;
}
