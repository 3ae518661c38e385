import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AgentCollector } from '../../src/agent/collector.js';
import { resolveCjs, resolveEsm } from '../../src/agent/target-modules.js';
import { repoRoot } from '../helpers.js';

describe('target module resolution', () => {
  const modules = join(repoRoot, 'node_modules');

  it('finds both builds of PGlite: CJS via require, ESM via exports "." import condition', () => {
    assert.deepEqual(resolveCjs('@electric-sql/pglite', [repoRoot]), [
      join(modules, '@electric-sql/pglite/dist/index.cjs'),
    ]);
    assert.deepEqual(resolveEsm('@electric-sql/pglite', [repoRoot]), [
      join(modules, '@electric-sql/pglite/dist/index.js'),
    ]);
  });

  it("resolves pg's ESM wrapper and dedupes directories that resolve to the same file", () => {
    assert.deepEqual(resolveEsm('pg', [repoRoot, join(repoRoot, 'src')]), [
      join(modules, 'pg/esm/index.mjs'),
    ]);
    assert.deepEqual(resolveCjs('pg', [repoRoot, join(repoRoot, 'src')]), [join(modules, 'pg/lib/index.js')]);
  });

  it('returns nothing for a package that is not installed', () => {
    assert.deepEqual(resolveCjs('perfloop-no-such-package', [repoRoot]), []);
    assert.deepEqual(resolveEsm('perfloop-no-such-package', [repoRoot]), []);
  });
});

describe('AgentCollector.targetEnv', () => {
  it('appends --import <preload URL> to existing NODE_OPTIONS, once', async () => {
    const collector = await AgentCollector.listen({ sampleMs: 100 });
    try {
      const env = collector.targetEnv('--max-old-space-size=256');
      const preload = AgentCollector.preloadUrl();
      assert.equal(fileURLToPath(preload), join(repoRoot, 'dist/src/agent/preload.js'));
      assert.equal(env.NODE_OPTIONS, `--max-old-space-size=256 --import ${preload.href}`);
      assert.equal(env.PERFLOOP_AGENT_SOCKET, collector.socketPath);
      assert.equal(env.PERFLOOP_AGENT_SAMPLE_MS, '100');
      assert.equal(collector.targetEnv(env.NODE_OPTIONS).NODE_OPTIONS, env.NODE_OPTIONS);
      assert.equal(collector.connected, false);
    } finally {
      await collector.close();
    }
  });
});
