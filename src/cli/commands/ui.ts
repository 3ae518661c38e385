import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { isStoreUrl } from '../../store/open-store.js';
import { STORE_OPTION, storeFlag } from '../store-option.js';
import { startUiServer } from '../../ui/server.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** Opens a URL in the desktop's browser; failing to (no desktop) is not an error: the URL is printed anyway. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    spawn(cmd, [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  } catch {
    // nothing to open it with
  }
}

export const uiCommand: Command = {
  name: 'ui',
  summary: 'the performance dashboard: runs, scenario trends, run reports, comparisons and live tests in a browser',
  usage: 'perfloop ui [--port N] [--host H] [--store PATH|URL] [--open]',
  details:
    'Serves a local web app over the run store (read-only): / (runs by scenario), /scenarios/ID, /runs/ID,\n' +
    '/compare/A/B, /live, and the JSON API /api/runs (= perfloop runs --json) and /api/runs/ID (= report.json).\n' +
    'perfloop load|run --dashboard URL report their progress to a running ui. Stops on Ctrl-C.',
  options: {
    port: { type: 'string', arg: 'N', description: 'port (0 = any free one)', default: '4567' },
    host: { type: 'string', arg: 'H', description: 'address to bind (not loopback: anyone on the network can read the runs)', default: '127.0.0.1' },
    store: STORE_OPTION,
    open: { type: 'boolean', description: 'open the dashboard in a browser' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, _p, io) {
    const port = int(v, 'port', 0)!;
    if (port > 65535) throw new PerfloopError('USAGE', `--port: expected 0–65535, got ${port}`);
    const host = str(v, 'host')!;
    const storePath = storeFlag(v, io);
    // The dashboard is read-only: it must not create an empty store where the user mistyped a path.
    if (!isStoreUrl(storePath) && !existsSync(storePath))
      throw new PerfloopError('STORE_MISSING', `no run store at ${storePath}`, { hint: 'run perfloop run or perfloop demo first, or pass --store PATH' });
    if (!isLoopback(host)) io.err(`perfloop ui: warning: listening on ${host}, not loopback: anyone who can reach it can read every run\n`);
    const server = await startUiServer({ storePath, host, port });
    io.out(`perfloop ui: ${server.url}\n`);
    if (v.open) openBrowser(server.url);
    await new Promise<void>((r) => (io.signal.aborted ? r() : io.signal.addEventListener('abort', () => r(), { once: true })));
    await server.close();
    return EXIT.ok;
  },
};
