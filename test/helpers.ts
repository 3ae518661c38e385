import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests run compiled from dist/test/…; this is the repository root either way. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const fixture = (...parts: string[]) => join(fixturesDir, ...parts);
export const cliPath = join(repoRoot, 'bin', 'perfloop.js');
export const tempDir = (prefix = 'perfloop-test-') => mkdtempSync(join(tmpdir(), prefix));
/** URL of the throwaway PostgreSQL 15 cluster scripts/run-tests.mjs (or .ci/run) started. */
export const testPgUrl = () => process.env.PERFLOOP_TEST_PG;
