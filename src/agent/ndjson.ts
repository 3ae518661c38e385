import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into NDJSON messages. A line longer than `maxLineBytes` is discarded
 * (counted in `oversized`) instead of growing the buffer without bound; malformed JSON is counted
 * in `malformed` and skipped, so one bad line never stops the stream.
 */
export class NdjsonSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skippingOversized = false;
  oversized = 0;
  malformed = 0;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly maxLineBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    while (text.length > 0) {
      const newline = text.indexOf('\n');
      if (newline === -1) {
        if (!this.skippingOversized) this.pending += text;
        if (this.pending.length > this.maxLineBytes) {
          this.pending = '';
          this.skippingOversized = true;
          this.oversized++;
        }
        return;
      }
      const line = this.skippingOversized ? '' : this.pending + text.slice(0, newline);
      this.pending = '';
      this.skippingOversized = false;
      text = text.slice(newline + 1);
      if (line.trim() !== '') this.parse(line);
    }
  }

  private parse(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.malformed++;
      return;
    }
    this.onMessage(message);
  }
}

/** One message as one NDJSON line. */
export const toLine = (message: unknown): string => JSON.stringify(message) + '\n';
