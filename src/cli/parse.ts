import { parseArgs } from 'node:util';
import { PerfloopError } from '../core/errors.js';
import type { Command, ParsedValues } from './command.js';

export function parseCommandArgs(cmd: Command, argv: string[]): { values: ParsedValues; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(cmd.options).map(([name, o]) => [
      name,
      Object.fromEntries(Object.entries({ type: o.type, short: o.short, multiple: o.multiple, default: o.default }).filter(([, x]) => x !== undefined)),
    ]),
  );
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true } as unknown as Parameters<typeof parseArgs>[0]);
    if (!cmd.positionals && r.positionals.length > 0) {
      throw new PerfloopError('USAGE', `perfloop ${cmd.name}: unexpected argument ${JSON.stringify(r.positionals[0])}`, { hint: cmd.usage });
    }
    return { values: r.values as ParsedValues, positionals: r.positionals };
  } catch (e) {
    if (e instanceof PerfloopError) throw e;
    throw new PerfloopError('USAGE', `perfloop ${cmd.name}: ${(e as Error).message}`, { hint: `see perfloop ${cmd.name} --help` });
  }
}

export function helpText(cmd: Command): string {
  const lines = [`perfloop ${cmd.name} — ${cmd.summary}`, '', `Usage: ${cmd.usage}`];
  if (cmd.details) lines.push('', cmd.details);
  lines.push('', 'Options:');
  for (const [name, o] of Object.entries(cmd.options)) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : '';
    lines.push(`  ${flag.padEnd(30)} ${o.description}${def}${o.multiple ? ' (repeatable)' : ''}`);
  }
  return lines.join('\n');
}

/** Typed accessors over parsed values, with bad values reported as usage errors naming the flag. */
export function str(v: ParsedValues, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

export function list(v: ParsedValues, name: string): string[] {
  const x = v[name];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
}

export function int(v: ParsedValues, name: string, min = 0): number | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new PerfloopError('USAGE', `--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(s)}`);
  return n;
}
