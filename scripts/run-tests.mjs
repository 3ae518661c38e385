#!/usr/bin/env node
// `npm test`: compile, start a throwaway PostgreSQL 15 cluster (unless PERFLOOP_TEST_PG is set),
// run every compiled test file with node's test runner, stop the cluster, exit with the runner's code.
//
//   npm test                         all tests
//   npm test -- test/pg load/        only files whose path contains one of the substrings
//   npm test -- --test-name-pattern=histogram    arguments starting with "-" go to `node --test`
//
// Environment: PERFLOOP_TEST_PG=<url> uses that database and starts none; PERFLOOP_TEST_NO_PG=1
// starts none either (PostgreSQL tests then skip).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const clusterScript = join(repoRoot, 'scripts', 'pg-test-cluster.sh');
const say = (message) => process.stderr.write(`run-tests: ${message}\n`);

function compile() {
  say('compiling (npx tsc -p .)');
  const result = spawnSync('npx', ['tsc', '-p', '.'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.error) say(`could not run tsc: ${result.error.message}`);
  return result.status === 0;
}

/** dist/test/**\/*.test.js whose test/**\/*.test.ts still exists (skips stale output of deleted files). */
function findTestFiles(dir = join(repoRoot, 'dist', 'test')) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...findTestFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.test.js') && existsSync(sourceOf(path)))
      files.push(path);
  }
  return files.sort();
}

function sourceOf(distFile) {
  const inTest = relative(join(repoRoot, 'dist'), distFile);
  return join(repoRoot, inTest.replace(/\.js$/, '.ts'));
}

/** A file is selected when any filter is a substring of its dist or source path ("/" separators). */
function selectFiles(files, filters) {
  if (filters.length === 0) return files;
  const slash = (path) => relative(repoRoot, path).split(sep).join('/');
  return files.filter((file) => {
    const names = [slash(file), slash(sourceOf(file))];
    return filters.some((filter) => names.some((name) => name.includes(filter)));
  });
}

/** Starts a cluster with its own state file; returns { url, stop } or undefined when it cannot. */
function startCluster() {
  const stateDir = mkdtempSync(join(tmpdir(), 'perfloop-run-tests-'));
  const env = { ...process.env, PERFLOOP_PG_STATE: join(stateDir, 'pg.state') };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync('bash', [clusterScript, 'stop'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(stateDir, { recursive: true, force: true });
  };
  const result = spawnSync('bash', [clusterScript, 'start'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = result.stdout?.trim();
  if (result.status !== 0 || !url?.startsWith('postgres://')) {
    stop();
    say('WARNING: could not start the PostgreSQL test cluster; tests that need PostgreSQL will skip.');
    return undefined;
  }
  say(`PostgreSQL test cluster: ${url}`);
  return { url, stop };
}

const exitCodeFor = (signal) => 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1);

function main() {
  const args = process.argv.slice(2);
  const runnerArgs = args.filter((arg) => arg.startsWith('-'));
  const filters = args.filter((arg) => !arg.startsWith('-'));

  const compiled = compile();
  if (!compiled)
    say('TypeScript reported errors (above); running the tests anyway, but `npm test` will fail.');

  const files = selectFiles(findTestFiles(), filters);
  if (files.length === 0) {
    say(
      filters.length ? `no test file matches ${filters.join(', ')}` : 'no compiled test files in dist/test',
    );
    process.exit(1);
  }

  let cluster;
  let runner;
  let signalled;
  // registered before the cluster starts so Ctrl-C at any point still stops it
  const onSignal = (signal) => {
    signalled ??= signal;
    // the runner ends its own test processes; without one, the 'exit' handler stops the cluster
    if (runner) runner.kill(signal);
    else process.exit(exitCodeFor(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // exit handlers run synchronously, so spawnSync in stop() still works there
  process.on('exit', () => cluster?.stop());

  if (process.env.PERFLOOP_TEST_PG) say(`using PERFLOOP_TEST_PG=${process.env.PERFLOOP_TEST_PG}`);
  else if (process.env.PERFLOOP_TEST_NO_PG) say('PERFLOOP_TEST_NO_PG is set: no PostgreSQL cluster');
  else cluster = startCluster();

  const env = { ...process.env };
  if (cluster) env.PERFLOOP_TEST_PG = cluster.url;
  const nodeArgs = [
    '--test',
    '--test-concurrency=2',
    // A guard against a hung test, not a deadline: on a shared 2-core machine under load a file that starts
    // real services (the demo seeds PGlite) can take minutes. Tests wait for readiness signals themselves.
    '--test-timeout=600000',
    ...runnerArgs,
    ...files.map((file) => relative(repoRoot, file)),
  ];
  say(`running ${files.length} test file(s)`);
  runner = spawn(process.execPath, nodeArgs, { cwd: repoRoot, env, stdio: 'inherit' });

  runner.on('error', (error) => {
    say(`could not start the test runner: ${error.message}`);
    process.exit(1);
  });
  runner.on('exit', (code, signal) => {
    cluster?.stop();
    const caught = signalled ?? signal;
    if (caught) process.exit(exitCodeFor(caught));
    if (code !== 0) process.exit(code ?? 1);
    process.exit(compiled ? 0 : 1);
  });
}

main();
