#!/usr/bin/env node
// `npm run conformance`: every conformance runner in dist/bench/conformance-*.js, one after the other, against
// the peers' corpora in ../shared/corpora (or $PERFLOOP_CORPORA). Exit code: the first failing runner's, else 0.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'dist', 'bench');
const runners = existsSync(dir) ? readdirSync(dir).filter((f) => /^conformance-.*\.js$/.test(f)).sort() : [];
if (runners.length === 0) {
  console.error('conformance: no runners in dist/bench (run npm run build first)');
  process.exit(1);
}
let status = 0;
for (const r of runners) {
  console.error(`\n==> ${r}`);
  const res = spawnSync(process.execPath, [join(dir, r), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  if (res.status !== 0 && status === 0) status = res.status ?? 1;
}
process.exit(status);
