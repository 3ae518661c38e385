import type { ProgressCallback } from './source.js';

/**
 * Import progress for a human: silent for the first second (small files never print anything), then the share
 * of bytes read — one rewritten line on a terminal, a line every 5 s otherwise.
 */
export function importProgress(
  write: (text: string) => void,
  isTTY: boolean,
  now: () => number = Date.now,
): { onProgress: (label: string) => ProgressCallback; done(): void } {
  const start = now();
  let last = 0;
  let printed = false;
  return {
    onProgress: (label) => (read, total) => {
      const t = now();
      if (t - start < 1000 || t - last < (isTTY ? 200 : 5000)) return;
      last = t;
      const mb = (b: number) => (b / 1048576).toFixed(0);
      const line = `reading ${label}: ${total > 0 ? Math.floor((100 * read) / total) : 0}% (${mb(read)}/${mb(total)} MB, ${((t - start) / 1000).toFixed(0)} s)`;
      write(isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
      printed = true;
    },
    done: () => {
      if (printed && isTTY) write('\r\x1b[2K');
    },
  };
}
