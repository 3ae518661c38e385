import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixture } from '../helpers.js';

const run = promisify(execFile);

/** The fixture programs under test/fixtures/heap/, each writing 3 snapshots: name-0/1/2.heapsnapshot. */
export const HEAP_PROGRAMS = ['unbounded-collection', 'listener-leak', 'timer-leak', 'closure-leak', 'global-growth', 'unsettled-promises', 'no-leak'] as const;
export type HeapProgram = (typeof HEAP_PROGRAMS)[number];

let pending: Promise<string> | undefined;

/**
 * Runs the fixture programs (real Node, v8.writeHeapSnapshot) once and returns the folder holding their
 * snapshots. Keyed by the programs' source and the Node version, so test files running in parallel (and
 * later runs) share one generation (~4 s); written to a temporary folder first, then renamed into place.
 */
export function heapFixturesDir(): Promise<string> {
  pending ??= generate();
  return pending;
}

export async function snapshotsOf(program: HeapProgram): Promise<string[]> {
  const dir = await heapFixturesDir();
  return [0, 1, 2].map((i) => join(dir, `${program}-${i}.heapsnapshot`));
}

async function generate(): Promise<string> {
  const src = fixture('heap');
  const hash = createHash('sha256').update(process.version);
  for (const f of readdirSync(src).sort()) hash.update(f).update(readFileSync(join(src, f)));
  const dir = join(tmpdir(), `perfloop-heap-fixtures-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  // One test process generates; the others (node --test runs files in parallel) wait for its folder.
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const stale = Date.now() - since > 120_000;
    if (!stale) {
      for (let waited = 0; waited < 120_000 && !existsSync(dir); waited += 200) await new Promise((r) => setTimeout(r, 200));
      if (existsSync(dir)) return dir;
    }
  }
  try {
    return await generateInto(src, dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function generateInto(src: string, dir: string): Promise<string> {
  if (existsSync(dir)) return dir;
  const work = `${dir}.${process.pid}.tmp`;
  mkdirSync(work, { recursive: true });
  try {
    const queue = [...HEAP_PROGRAMS];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await run(process.execPath, [join(src, `${p}.mjs`), work], { timeout: 60_000 });
    };
    await Promise.all([worker(), worker(), worker()]);
    try {
      renameSync(work, dir);
    } catch (e) {
      if (!existsSync(dir)) throw e; // another test process won the race: use its copy
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}
