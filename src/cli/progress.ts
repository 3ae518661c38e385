import type { LoadProgress } from '../load/engine.js';
import type { CommandIO } from './command.js';

/** Live load status: one rewritten line on a TTY, a line every 10 s otherwise. */
export function progressPrinter(io: CommandIO, prefix = ''): (p: LoadProgress) => void {
  let lastLine = 0;
  return (p) => {
    const line = `${prefix}${(p.elapsedMs / 1000).toFixed(0)}/${(p.plannedMs / 1000).toFixed(0)}s  ${p.vus} VUs  ${p.rps} req/s  ${p.requests} reqs  ${p.errors} errors`;
    if (io.isTTY) io.err(`\r\x1b[2K${line}`);
    else if (p.elapsedMs - lastLine >= 10_000) {
      lastLine = p.elapsedMs;
      io.err(`${line}\n`);
    }
  };
}

export function clearProgress(io: CommandIO): void {
  if (io.isTTY) io.err('\r\x1b[2K');
}
