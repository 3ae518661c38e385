import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runService } from '../../src/loop/run-service.js';
import { summariseHeapFile } from '../../src/memory/heap-summary.js';
import { freePort } from '../../src/target/free-port.js';
import { tempDir } from '../helpers.js';

/**
 * A service whose heap is big enough that writing a snapshot takes a while (200,000 small objects: writing one takes longer than the 0.25 s gap), and which
 * keeps one `Served` object per request. Between two snapshots of the memory phase there must be real traffic:
 * the count of `Served` must grow between every pair. A wall-clock schedule let slow snapshots run back to back.
 */
const SERVICE = String.raw`
import http from 'node:http';
class Ballast { constructor(i) { this.i = i; this.next = null; } }
class Served { constructor(n) { this.n = n; } }
globalThis.ballast = Array.from({ length: 200_000 }, (_, i) => new Ballast(i));
const served = [];
http.createServer((req, res) => {
  if (req.url !== '/health') served.push(new Served(served.length));
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

test('memory phase: every gap between heap snapshots has load, however long a snapshot takes', async () => {
  const dir = tempDir('perfloop-memory-phase-');
  writeFileSync(join(dir, 'server.mjs'), SERVICE);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { record, outDir } = await runService({
    target: 'node server.mjs',
    cwd: dir,
    env: { PORT: String(port) },
    ready: `${base}/health`,
    readyTimeoutMs: 120_000, // a guard only: readiness is the /health answer
    requests: [{ name: 'hit', url: `${base}/hit` }],
    vus: 2,
    durationS: 1,
    warmupS: 0,
    label: 'memory phase',
    outDir: join(dir, 'out'),
    storePath: null,
    profile: true,
    samplingIntervalUs: 1000,
    heapSnapshots: 3,
    memoryPhaseS: 0.5,
    command: 'perfloop run (test)',
  });
  const files = record.heap?.snapshots.map((s) => resolve(outDir, s.file)) ?? [];
  assert.equal(files.length, 3, JSON.stringify(record.warnings));
  const served: number[] = [];
  for (const f of files) {
    const s = await summariseHeapFile(f);
    served.push(s.byConstructor.find((c) => c.name === 'Served')?.count ?? 0);
  }
  for (let k = 1; k < served.length; k++)
    assert.ok(served[k] > served[k - 1] + 10, `requests served between snapshots: ${served.join(' → ')}`);
  // The phase lasted its load seconds plus the snapshot pauses, and the record says how long it was.
  assert.ok(record.measurement.load.includes('unmeasured'), record.measurement.load);
});
