import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScenarios } from '../../src/load/options.js';
import { runLoad } from '../../src/load/engine.js';
import { PerfloopError } from '../../src/core/errors.js';

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PerfloopError, String(e));
    assert.equal(e.exitCode, 2);
    assert.equal(e.code, 'LOAD_BAD_OPTIONS');
    return e.message.split('\n');
  }
  assert.fail('expected a PerfloopError');
};

test('k6 shortcuts become the executors k6 would pick', () => {
  const ex = (o: Record<string, unknown>) => resolveScenarios(o).map((s) => s.executor);
  assert.deepEqual(ex({ vus: 5, duration: '10s' }), ['constant-vus']);
  assert.deepEqual(ex({ vus: 5, iterations: 50 }), ['shared-iterations']);
  assert.deepEqual(ex({ stages: [{ duration: '5s', target: 3 }] }), ['ramping-vus']);
  assert.deepEqual(ex({}), ['per-vu-iterations']);
  const [s] = resolveScenarios({ vus: 2, iterations: 10, duration: '5s' });
  assert.deepEqual(s.config, { vus: 2, iterations: 10, maxDuration: '5s' });
});

test('every problem is listed at once, each with its path', () => {
  const errs = problems(() =>
    resolveScenarios({
      scenarios: {
        api: {
          executor: 'ramping-vus',
          stages: [
            { duration: '1s', target: 1 },
            { duration: '1s', target: 2 },
            { duration: '1s', target: -1 },
          ],
          startTime: 'later',
        },
        rate: {
          executor: 'constant-arrival-rate',
          rate: 0,
          duration: '10s',
          preAllocatedVUs: 5,
          maxVUs: 2,
          vu: 1,
        },
        bad: { executor: 'no-such' },
      },
    }),
  );
  const text = errs.join('\n');
  assert.match(text, /^scenarios\.api\.stages\[2\]\.target: must be ≥ 0$/m);
  assert.match(text, /^scenarios\.api\.startTime: must be a duration/m);
  assert.match(text, /^scenarios\.rate\.rate: must be > 0$/m);
  assert.match(text, /^scenarios\.rate\.maxVUs: must be ≥ preAllocatedVUs \(5\), got 2$/m);
  assert.match(text, /^scenarios\.rate\.vu: unknown field for constant-arrival-rate$/m);
  assert.match(text, /^scenarios\.bad\.executor: must be one of .*constant-vus/m);
  assert.match(errs[0], /^6 problems:$/);
});

test('shortcut errors carry the option names; conflicting shortcuts are refused', () => {
  assert.match(
    problems(() => resolveScenarios({ stages: [{ duration: 'x', target: 1 }] })).join('\n'),
    /^stages\[0\]\.duration: must be a duration/m,
  );
  assert.match(
    problems(() => resolveScenarios({ vus: 0, duration: '1s' })).join('\n'),
    /^vus: must be an integer ≥ 1, got 0$/m,
  );
  assert.match(
    problems(() =>
      resolveScenarios({ duration: '1s', scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }),
    ).join('\n'),
    /cannot be combined with scenarios/,
  );
  assert.match(
    problems(() => resolveScenarios({ stages: [{ duration: '1s', target: 1 }], duration: '5s' })).join('\n'),
    /stages: cannot be combined/,
  );
});

test('thresholds are validated with the scenarios, before anything starts (no connection attempted)', async () => {
  await assert.rejects(
    runLoad({
      requests: [{ url: 'http://127.0.0.1:1/' }],
      options: { vus: -1, duration: '1s' },
      thresholds: {
        http_req_durration: ['p(95)<200'],
        http_reqs: ['p(95)<1'],
        http_req_failed: ['rate<<0.1'],
      },
    }),
    (e: PerfloopError) => {
      assert.equal(e.code, 'LOAD_BAD_OPTIONS');
      assert.match(e.message, /vus: must be an integer/);
      assert.match(
        e.message,
        /thresholds\["http_req_durration"\]: metric "http_req_durration" does not exist/,
      );
      assert.match(
        e.message,
        /thresholds\["http_reqs"\]\[0\]: p\(95\) does not apply to http_reqs, a counter/,
      );
      assert.match(e.message, /thresholds\["http_req_failed"\]\[0\]: threshold value/);
      return true;
    },
  );
});
