/**
 * The perfloop demo service: `node dist/demo/server.js`. Configuration comes from the environment
 * (demo/config.ts); on ready it prints exactly one stdout line,
 * `perfloop-demo listening on http://<host>:<port>`, and everything else goes to stderr.
 * SIGTERM/SIGINT close the server, flush the request log, close the database and exit 0.
 * Bad configuration prints one stderr line and exits 2.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoRoutes, createRequestHandler } from './app.js';
import { readDemoConfig, type DemoConfig } from './config.js';
import { openDemoDatabase, seedCachePath } from './db.js';
import { DemoConfigError } from './fixes.js';
import { createRequestLogger } from './request-log.js';

const say = (line: string) => process.stderr.write(`perfloop-demo: ${line}\n`);

async function main(): Promise<void> {
  let config: DemoConfig;
  try {
    config = readDemoConfig(process.env);
  } catch (error) {
    if (!(error instanceof DemoConfigError)) throw error;
    say(error.message);
    process.exit(2);
  }

  const started = performance.now();
  const { db, source } = await openDemoDatabase(config.dataDir, config.fixes);
  const how = source === 'cache' ? 'loaded from cache' : 'seeded and cached at';
  say(`database ${how} ${seedCachePath(config.dataDir)} in ${Math.round(performance.now() - started)} ms`);
  say(`fixes enabled: ${config.fixes.enabled.join(', ') || '(none: every problem is on)'}`);

  const logger = createRequestLogger(config.logPath, config.fixes.has('sync-logging'));
  const server = createServer(createRequestHandler(createDemoRoutes(db, config.fixes), logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`perfloop-demo listening on http://${host}:${port}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Keep-alive connections from a load generator would otherwise hold close() open.
    server.close();
    server.closeAllConnections();
    await logger.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
