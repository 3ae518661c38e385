import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../helpers.js';

/**
 * A small real service for the run tests: PGlite in memory, an N+1 endpoint, a JSON-heavy endpoint whose cost
 * is in `serializeInventory`, and an endpoint that blocks the event loop. Written to a temp dir per test file.
 */
export function writeFixtureService(): { dir: string; entry: string } {
  const dir = tempDir('perfloop-svc-');
  // A service resolves its driver from its own node_modules, as a user's does (the agent patches that copy).
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const entry = join(dir, 'server.mjs');
  writeFileSync(
    entry,
    `import { createServer } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
const db = new PGlite();
await db.exec("CREATE TABLE items (id int primary key, owner int, name text); INSERT INTO items SELECT g, g % 20, 'item ' || g FROM generate_series(1, 400) g;");
const inventory = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'thing ' + i, tags: ['a', 'b', 'c'], dims: { w: i, h: i * 2, d: i * 3 } }));
function serializeInventory() {
  return JSON.stringify({ inventory, at: Date.now() }, null, 2);
}
async function ownersWithItems() {
  const owners = (await db.query('SELECT DISTINCT owner FROM items ORDER BY owner LIMIT 12')).rows;
  const out = [];
  for (const o of owners) out.push((await db.query('SELECT id, name FROM items WHERE owner = $1', [o.owner])).rows.length);
  return out;
}
const server = createServer(async (req, res) => {
  try {
    if (req.url === '/health') return res.end('ok');
    if (req.url.startsWith('/owners')) return res.end(JSON.stringify(await ownersWithItems()));
    if (req.url.startsWith('/inventory')) { let s = ''; for (let i = 0; i < 4; i++) s = serializeInventory(); return res.end(String(s.length)); }
    res.statusCode = 404; res.end();
  } catch (e) { res.statusCode = 500; res.end(String(e)); }
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  );
  return { dir, entry };
}
