import { EXIT, isPerfloopError, type ExitCode } from '../core/errors.js';
import type { Command, CommandIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { helpText, parseCommandArgs } from './parse.js';

/** The overview lists every command's summary, so it is the one place that loads them all. */
async function usage(): Promise<string> {
  const commands: Command[] = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'perfloop — the performance optimization loop: load-test, profile, find, fix, measure, gate',
    '',
    'Usage: perfloop <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'perfloop <command> --help shows a command’s options.',
  ].join('\n');
}

/**
 * The CLI: parse, dispatch, print, exit code. The first Ctrl-C aborts the work gracefully (the target is
 * stopped and what was measured is reported); a second one exits at once.
 */
export async function main(argv: string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  const out = (t: string) => void process.stdout.write(t);
  const err = (t: string) => void process.stderr.write(t);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(`${await usage()}\n`);
    return name ? EXIT.ok : EXIT.badInput;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    out(`${(createRequire(import.meta.url)('../../../package.json') as { version: string }).version}\n`);
    return EXIT.ok;
  }
  const cmd = await COMMANDS.find((c) => c.name === name)?.load();
  if (!cmd) {
    err(`perfloop: USAGE: unknown command ${JSON.stringify(name)} (hint: perfloop --help lists them)\n`);
    return EXIT.badInput;
  }
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      err('\nperfloop: stopping — keeping what was measured (Ctrl-C again to abort at once)\n');
      abort.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CommandIO = { out, err, isTTY: !!process.stderr.isTTY, signal: abort.signal, cwd: process.cwd() };
  try {
    const { values, positionals } = parseCommandArgs(cmd, cmd.rewriteArgs?.(rest) ?? rest);
    if (values.help) {
      out(`${helpText(cmd)}\n`);
      return EXIT.ok;
    }
    return await cmd.run(values, positionals, io);
  } catch (e) {
    if (isPerfloopError(e)) {
      err(`${e.toLine()}\n`);
      return e.exitCode;
    }
    err(`perfloop: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.runtime;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
