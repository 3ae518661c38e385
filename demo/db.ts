/**
 * Opens the demo database: an in-memory PGlite loaded from a cached, seeded data-directory tarball.
 *
 * Why a tarball and an in-memory database rather than PGlite on a data directory: the cache is never
 * written after it is created, so every start sees identical data whatever the previous start did
 * (e.g. created the index of the `missing-index` fix), and two servers can share one cache. The first
 * start seeds (a few seconds) and publishes the tarball with an atomic rename, so concurrent first
 * starts cannot leave a half-written cache behind: the last rename wins and both files are complete.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Fixes } from './fixes.js';
import { finishSeedStatements, SEED_VERSION, seedSql } from './seed.js';

export interface OpenedDatabase {
  db: PGlite;
  /** Whether this start seeded the data or loaded the cache. */
  source: 'seeded' | 'cache';
}

export function seedCachePath(dataDir: string): string {
  return join(dataDir, `pglite-seed-v${SEED_VERSION}.tgz`);
}

export async function openDemoDatabase(dataDir: string, fixes: Fixes): Promise<OpenedDatabase> {
  const opened = (await loadCachedDatabase(dataDir)) ?? (await seedDatabase(dataDir));
  await applyIndexFix(opened.db, fixes.has('missing-index'));
  return opened;
}

async function loadCachedDatabase(dataDir: string): Promise<OpenedDatabase | undefined> {
  let tarball: Buffer;
  try {
    tarball = readFileSync(seedCachePath(dataDir));
  } catch {
    return undefined;
  }
  try {
    const db = await PGlite.create({ loadDataDir: new Blob([tarball]) });
    return { db, source: 'cache' };
  } catch (error) {
    // A cache we cannot load (disk trouble, foreign file) is rebuilt rather than fatal.
    process.stderr.write(`perfloop-demo: ignoring unreadable seed cache (${String(error)}); reseeding\n`);
    return undefined;
  }
}

async function seedDatabase(dataDir: string): Promise<OpenedDatabase> {
  const db = await PGlite.create();
  await db.exec(seedSql);
  for (const statement of finishSeedStatements) await db.exec(statement);
  const dump = await db.dumpDataDir('gzip');
  const bytes = Buffer.from(await dump.arrayBuffer());
  mkdirSync(dataDir, { recursive: true });
  const target = seedCachePath(dataDir);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    // Without a cache the next start just seeds again; this one can still serve.
    process.stderr.write(`perfloop-demo: could not write seed cache ${target}: ${String(error)}\n`);
  }
  return { db, source: 'seeded' };
}

/**
 * The `missing-index` problem and its fix. The seed has no index on orders.customer_id; the fix adds
 * it. Dropping it when unfixed keeps the behaviour right even if a cache ever contained it.
 */
async function applyIndexFix(db: PGlite, fixed: boolean): Promise<void> {
  if (fixed) {
    await db.exec('CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);');
  } else {
    await db.exec('DROP INDEX IF EXISTS orders_customer_id_idx;');
  }
}
