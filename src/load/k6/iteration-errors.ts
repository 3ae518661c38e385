import { fileURLToPath } from 'node:url';

/** perfloop's own compiled files, skipped when looking for the script line an error came from. */
const OWN = new URL('../../../', import.meta.url).href;

/**
 * Errors thrown by iterations, as k6 reports them: each distinct message logged once (stderr) with the script
 * line it came from, and counted.
 */
export class IterationErrors {
  private readonly byMessage = new Map<string, { count: number; where: string }>();
  total = 0;

  constructor(private readonly script: string) {}

  note(err: unknown, scenario: string): void {
    this.total++;
    const message = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
    const seen = this.byMessage.get(message);
    if (seen) return void seen.count++;
    const where = scriptLine(err) ?? this.script;
    this.byMessage.set(message, { count: 1, where });
    process.stderr.write(`ERRO ${message} at ${where} (scenario ${scenario}; logged once, later ones counted)\n`);
  }

  warnings(): string[] {
    if (this.total === 0) return [];
    const list = [...this.byMessage.entries()]
      .slice(0, 3)
      .map(([m, e]) => `${JSON.stringify(m)} at ${e.where} ×${e.count}`);
    return [`${this.total} iteration(s) threw an error: ${list.join('; ')}`];
  }
}

/** `file.js:LINE:COL` of the first stack frame in the user's code. */
export function scriptLine(err: unknown): string | undefined {
  const stack = (err as Error)?.stack;
  if (typeof stack !== 'string') return undefined;
  for (const m of stack.matchAll(/(file:\/\/[^\s)]+?):(\d+):(\d+)/g)) {
    if (m[1].startsWith(OWN) || m[1].includes('/node_modules/')) continue;
    return `${fileURLToPath(m[1])}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
