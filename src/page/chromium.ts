import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { PerfloopError } from '../core/errors.js';

/** Debian's and Ubuntu's chromium; PERFLOOP_CHROMIUM names any other Chromium build. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const own = process.env.PERFLOOP_CHROMIUM;
  if (own) {
    if (!existsSync(own)) throw new PerfloopError('CHROMIUM_MISSING', `PERFLOOP_CHROMIUM=${own}: no such file`);
    return own;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found)
    throw new PerfloopError('CHROMIUM_MISSING', `no Chromium found (looked for ${CANDIDATES.join(', ')})`, {
      hint: 'apt-get install -y chromium, or set PERFLOOP_CHROMIUM to a Chromium binary',
    });
  return found;
}

/** Headless Chromium without the sandbox (containers and CI run as root) and without the GPU (none there). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
