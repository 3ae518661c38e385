import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineRing } from '../../src/target/line-ring.js';
import { summarizeOutput, SUMMARY_MAX_CHARS } from '../../src/target/output-summary.js';

describe('LineRing', () => {
  test('splits chunks into lines across chunk boundaries and CRLF', () => {
    const seen: string[] = [];
    const ring = new LineRing(10, (l) => seen.push(l));
    ring.push('hel');
    ring.push('lo\r\nwor');
    ring.push('ld\n\nlast');
    assert.deepEqual(seen, ['hello', 'world', '']);
    ring.flush();
    assert.deepEqual(ring.tail(), ['hello', 'world', '', 'last']);
  });

  test('keeps only the newest `capacity` lines, oldest first', () => {
    const ring = new LineRing(3);
    for (let i = 1; i <= 7; i++) ring.push(`line ${i}\n`);
    assert.deepEqual(ring.tail(), ['line 5', 'line 6', 'line 7']);
    assert.deepEqual(ring.tail(2), ['line 6', 'line 7']);
    assert.deepEqual(ring.tail(0), []);
  });

  test('cuts absurdly long lines', () => {
    const ring = new LineRing(2);
    ring.push(`${'x'.repeat(100_000)}\n`);
    assert.ok(ring.tail()[0].length <= 4001);
  });
});

describe('summarizeOutput', () => {
  const nodeMissingModule = [
    'node:internal/modules/cjs/loader:1228',
    '  throw err;',
    '  ^',
    '',
    "Error: Cannot find module '/x/does-not-exist.js'",
    '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
    '    at Module._load (node:internal/modules/cjs/loader:1051:27)',
    '    at node:internal/main/run_main_module:28:49 {',
    "  code: 'MODULE_NOT_FOUND',",
    '  requireStack: []',
    '}',
    '',
    'Node.js v20.20.2',
  ];

  test('starts at the Error line and drops stack frames', () => {
    assert.equal(
      summarizeOutput(nodeMissingModule),
      "Error: Cannot find module '/x/does-not-exist.js' | code: 'MODULE_NOT_FOUND', | requireStack: [] | } | Node.js v20.20.2",
    );
  });

  test('a huge detail after the error line is cut, the error line stays', () => {
    const lines = [
      'booting',
      'TypeError: x is not a function',
      ...Array.from({ length: 50 }, (_, i) => `detail ${i} ${'y'.repeat(30)}`),
    ];
    const out = summarizeOutput(lines);
    assert.ok(out.startsWith('TypeError: x is not a function | detail 0'));
    assert.ok(out.endsWith(' | …'));
    assert.ok(out.length <= SUMMARY_MAX_CHARS + 4);
  });

  test('an error line longer than the budget is itself cut', () => {
    const out = summarizeOutput([`Error: ${'z'.repeat(1000)}`]);
    assert.equal(out.length, SUMMARY_MAX_CHARS);
    assert.ok(out.startsWith('Error: zzz') && out.endsWith('…'));
  });

  test('Python traceback: frames dropped, the exception line kept', () => {
    const out = summarizeOutput([
      'Traceback (most recent call last):',
      '  File "/app/server.py", line 3, in <module>',
      '    import flask',
      "ModuleNotFoundError: No module named 'flask'",
    ]);
    assert.equal(out, "ModuleNotFoundError: No module named 'flask'");
  });

  test('the echo of the throwing source line is not mistaken for the error', () => {
    const out = summarizeOutput(['[eval]:1', "throw new TypeError('bad')", '^', 'TypeError: bad']);
    assert.equal(out, 'TypeError: bad');
  });

  test('lowercase "error:" lines are found when no Error name is', () => {
    assert.equal(summarizeOutput(['starting', 'error: listen failed', 'bye']), 'error: listen failed | bye');
  });

  test('without any error line, the most recent lines win', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `log line number ${i}`);
    const out = summarizeOutput(lines);
    assert.ok(out.startsWith('… | '));
    assert.ok(out.endsWith('log line number 39'));
    assert.ok(out.length <= SUMMARY_MAX_CHARS + 4);
    assert.equal(summarizeOutput(['', '  ']), '');
  });
});
