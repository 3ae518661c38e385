/** The demo server's configuration, read from the environment (see the catalog for the fix ids). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoConfigError, parseFixes, type Fixes } from './fixes.js';

export interface DemoConfig {
  port: number;
  host: string;
  fixes: Fixes;
  /** Directory holding the seeded-database cache. */
  dataDir: string;
  /** Request log file (truncated at start). */
  logPath: string;
}

export function readDemoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const rawPort = (env.PORT ?? '').trim();
  const port = rawPort === '' ? 0 : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DemoConfigError(`PORT must be an integer from 0 to 65535, got '${rawPort}'`);
  }
  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    fixes: parseFixes(env.PERFLOOP_DEMO_FIXES),
    dataDir: env.PERFLOOP_DEMO_DATA?.trim() || join(tmpdir(), 'perfloop-demo-data-v1'),
    logPath: env.PERFLOOP_DEMO_LOG?.trim() || join(tmpdir(), 'perfloop-demo.log'),
  };
}
