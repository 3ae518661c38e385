import { connect } from 'node:net';
import { PerfloopError } from '../core/errors.js';
import type { RequestTemplate } from './scenario.js';

/** Checks each distinct host:port accepts TCP connections, so an unreachable target fails fast with exit 2. */
export async function assertReachable(
  templates: readonly RequestTemplate[],
  timeoutMs: number,
): Promise<void> {
  const targets = new Map<string, { host: string; port: number }>();
  for (const t of templates) {
    const u = new URL(t.url.replace(/\{\{[^}]*\}\}/g, '0'));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    targets.set(`${host}:${port}`, { host, port });
  }
  await Promise.all(
    [...targets.entries()].map(
      ([key, { host, port }]) =>
        new Promise<void>((resolve, reject) => {
          const s = connect({ host, port, timeout: timeoutMs });
          const fail = (why: string) => {
            s.destroy();
            reject(
              new PerfloopError('LOAD_UNREACHABLE', `cannot connect to ${key}: ${why}`, {
                hint: 'is the service running?',
              }),
            );
          };
          s.once('connect', () => (s.destroy(), resolve()));
          s.once('timeout', () => fail(`no answer within ${timeoutMs} ms`));
          s.once('error', (e) => fail(e.message));
        }),
    ),
  );
}
