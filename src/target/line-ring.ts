/**
 * Splits a byte stream into lines and keeps the most recent ones in a bounded ring, so a chatty
 * service can log for hours without perfloop's memory growing, yet error messages can still quote
 * the last lines it printed.
 */

/** Lines longer than this are cut: one minified-JSON log line must not hold megabytes. */
const MAX_LINE_CHARS = 4000;

export class LineRing {
  private readonly lines: string[] = [];
  private next = 0; // where the next line goes once the ring is full
  private partial = '';

  constructor(
    private readonly capacity: number,
    private readonly onLine?: (line: string) => void,
  ) {}

  /** Feed a chunk of output; complete lines are stored and reported, the rest waits for more. */
  push(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split(/\r?\n/);
    this.partial = clip(parts.pop() ?? '');
    for (const line of parts) this.add(line);
  }

  /** The stream ended: a last line without a newline is still a line. */
  flush(): void {
    if (this.partial !== '') this.add(this.partial);
    this.partial = '';
  }

  /** The last `count` lines, oldest first. */
  tail(count = 20): string[] {
    const ordered =
      this.lines.length < this.capacity
        ? this.lines
        : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    return count <= 0 ? [] : ordered.slice(-count);
  }

  private add(raw: string): void {
    const line = clip(raw);
    if (this.lines.length < this.capacity) this.lines.push(line);
    else {
      this.lines[this.next] = line;
      this.next = (this.next + 1) % this.capacity;
    }
    if (this.onLine) {
      // A user's logging callback must not be able to crash the run and orphan the target.
      try {
        this.onLine(line);
      } catch {
        /* ignored on purpose */
      }
    }
  }
}

function clip(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
}
