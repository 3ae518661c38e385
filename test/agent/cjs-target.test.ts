import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentCollector } from '../../src/agent/collector.js';
import { startTarget, waitFor, writeTargetDir, type Target } from './target-fixture.js';

/**
 * A CommonJS service that requires PGlite's CJS build only after it started listening: the agent
 * must find that copy (not its ESM twin) when it appears in require.cache, and patch it.
 */
const CJS_SERVER = String.raw`
const http = require('node:http');
let db = null;
const server = http.createServer(async (req, res) => {
  try {
    if (req.url === '/init') {
      const { PGlite } = require('@electric-sql/pglite');
      db = new PGlite();
      await db.waitReady;
      return res.end('{}');
    }
    const r = await db.query('SELECT 42 AS answer UNION ALL SELECT 43');
    res.end(JSON.stringify(r.rows));
  } catch (e) {
    res.writeHead(500).end(String(e && e.message));
  }
});
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

describe('agent with a CommonJS target that loads its driver lazily', () => {
  let dir: string;
  let collector: AgentCollector;
  let target: Target;

  before(async () => {
    dir = writeTargetDir();
    writeFileSync(join(dir, 'server.cjs'), CJS_SERVER);
    collector = await AgentCollector.listen({ sampleMs: 50 });
    target = await startTarget(dir, collector.targetEnv(''), [process.execPath, 'server.cjs']);
    await collector.waitForAgent(20_000);
  });

  after(async () => {
    await target?.stop();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('patches the CJS copy once it is required and captures its queries', async () => {
    assert.equal((await target.get('/init')).status, 200);
    // The agent re-checks require.cache before every sample: two samples later it has patched.
    const seen = collector.samples.length;
    await waitFor('two more samples', () => collector.samples.length >= seen + 2);
    assert.equal((await target.get('/q')).status, 200);
    const query = await waitFor('query', () =>
      collector.queries.find((q) => q.text === 'SELECT 42 AS answer UNION ALL SELECT 43'),
    );
    assert.deepEqual([query.driver, query.rows, query.request], ['pglite', 2, 'GET /q']);
  });
});
