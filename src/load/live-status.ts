import type { LoadProgress } from './engine.js';
import { fmtTime } from './summary.js';

/** The live status line: stage, elapsed/total, VUs, req/s, p95, errors, thresholds. */
export function statusLine(p: LoadProgress): string {
  const parts = [
    `${Math.round(p.elapsedMs / 1000)}/${Math.round(p.plannedMs / 1000)}s`,
    p.stage || null,
    `${p.vus} VUs`,
    `${p.rps} req/s`,
    p.p95Ms === null ? null : `p95 ${fmtTime(p.p95Ms)}`,
    `${p.requests} reqs`,
    `${p.errors} errors`,
    p.thresholds ? `thresholds ✓${p.thresholds.ok} ✗${p.thresholds.failed}` : null,
  ];
  return parts.filter(Boolean).join('  ');
}

/** Rewrites one line on a TTY; otherwise prints a line every 10 s (CI logs stay short). */
export function statusPrinter(
  write: (s: string) => void,
  isTTY: boolean,
  intervalMs = 10_000,
): { update(p: LoadProgress): void; clear(): void } {
  let lastAt = 0;
  let shown = false;
  return {
    update(p) {
      const line = statusLine(p);
      if (isTTY) {
        write(`\r\x1b[2K${line}`);
        shown = true;
      } else if (p.elapsedMs - lastAt >= intervalMs) {
        lastAt = p.elapsedMs;
        write(`${line}\n`);
      }
    },
    clear() {
      if (isTTY && shown) write('\r\x1b[2K');
    },
  };
}
