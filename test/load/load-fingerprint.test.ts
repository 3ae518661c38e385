import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from '../../src/load/engine.js';
import { executionSpec, scenarioOfLoad } from '../../src/load/load-fingerprint.js';
import { tempDir } from '../helpers.js';
import { delayed, startServer } from './servers.js';

const script = `import http from 'k6/http';
export const options = { vus: 2, iterations: 12 };
export default function () {
  http.get(\`\${__ENV.FP_BASE}/items/\${__ITER + 1000}\`);
  http.post(\`\${__ENV.FP_BASE}/orders\`, 'x');
}
`;

test('a script run is one stable scenario: same script and options on another port group together; an edit or other options do not', async () => {
  const dir = tempDir();
  const path = join(dir, 'shop.js');
  writeFileSync(path, script);
  const a = await startServer(delayed(0));
  const b = await startServer(delayed(0));
  try {
    const load = { script: path, options: { vus: 2, iterations: 12 } };
    process.env.FP_BASE = a.url;
    const first = scenarioOfLoad(load, await runLoad({ script: path }));
    process.env.FP_BASE = b.url;
    const second = scenarioOfLoad(load, await runLoad({ script: path }));
    assert.equal(first.id, second.id, `${first.description} vs ${second.description}`);
    assert.equal(first.name, 'shop.js');
    // Requests as seen, the origin dropped and the iteration's ids collapsed into one path.
    assert.deepEqual(first.spec?.requests.map((r) => `${r.method} ${r.path}`), ['GET /items/{id}', 'POST /orders']);
    assert.match(first.description, /^shop\.js \(sha256 [0-9a-f]{8}\) · /);

    const otherOptions = scenarioOfLoad({ ...load, options: { vus: 4, iterations: 12 } }, await runLoad({ script: path }));
    assert.notEqual(otherOptions.id, first.id);
    writeFileSync(path, `${script}// edited\n`);
    const edited = scenarioOfLoad(load, await runLoad({ script: path }));
    assert.notEqual(edited.id, first.id);
  } finally {
    delete process.env.FP_BASE;
    await a.close();
    await b.close();
  }
});

test('execution fingerprint: durations written either way are one scenario; -c/-d keeps the fields older runs have', () => {
  assert.deepEqual(executionSpec({ vus: 20, duration: 30_000 }), { executor: 'constant-vus', vus: 20, durationS: 30 });
  assert.deepEqual(executionSpec({ vus: 20, duration: '30s' }), { executor: 'constant-vus', vus: 20, durationS: 30 });
  const a = executionSpec({ stages: [{ duration: '1m', target: 10 }, { duration: '30s', target: 0 }] });
  const b = executionSpec({ stages: [{ duration: 60_000, target: 10 }, { duration: '30000ms', target: 0 }] });
  assert.deepEqual(a, b);
  assert.equal(a.executor, 'ramping-vus');
  const c = executionSpec({ stages: [{ duration: '1m', target: 20 }, { duration: '30s', target: 0 }] });
  assert.notDeepEqual(a, c);
  assert.equal(
    executionSpec({ scenarios: { api: { executor: 'constant-arrival-rate', rate: 50, duration: '10s', preAllocatedVUs: 5 } } }).executor,
    'constant-arrival-rate',
  );
});
