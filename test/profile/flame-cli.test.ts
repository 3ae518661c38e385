/** `perfloop flame` end to end: the JSON contract, merging, export, diff, focus/hide, and bad input (exit 2, one line). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cliPath, fixture, tempDir } from '../helpers.js';

function flame(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, 'flame', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const cpu = fixture('profiles', 'node-cpu-app.cpuprofile');

test('--json follows perfloop/profile-analysis@1', () => {
  const r = flame(cpu, '--json', '--top', '3');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.schema, 'perfloop/profile-analysis@1');
  assert.equal(j.format, 'cpuprofile');
  assert.equal(j.unit, 'us');
  assert.ok(j.totalWeight > 1_000_000 && j.samples === 5530);
  assert.equal(j.top.length, 3);
  for (const t of j.top)
    for (const k of ['name', 'file', 'line', 'category', 'self', 'selfPct', 'total', 'totalPct'])
      assert.ok(k in t, `top[].${k}`);
  assert.equal(j.top[0].name, 'serializeReport');
  assert.equal(j.top[0].category, 'serialization');
  for (const c of j.categories) assert.deepEqual(Object.keys(c).sort(), ['name', 'pct']);
  assert.ok(Math.abs(j.categories.reduce((s: number, c: { pct: number }) => s + c.pct, 0) - 100) < 0.5);
  assert.ok(j.findings.some((f: { rule: string }) => f.rule === 'cpu.serialization'));
  assert.equal(j.priorities[0].target, 'serializeReport');
});

test('the text view is the insights table; several files merge', () => {
  const r = flame(cpu, fixture('profiles', 'speedscope', 'node-cpu-app.speedscope.json'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Top time consumers/);
  assert.match(r.out, /serializeReport\s+serialization/);
  assert.match(r.out, /Optimization priorities/);
  const j = JSON.parse(flame(cpu, cpu, '--json').out);
  const one = JSON.parse(flame(cpu, '--json').out);
  assert.equal(j.samples, 2 * one.samples);
  assert.equal(j.top[0].selfPct, one.top[0].selfPct);
});

test('--export writes files other tools open; --focus and --hide reshape the profile', () => {
  const dir = tempDir();
  for (const format of ['speedscope', 'folded', 'cpuprofile']) {
    const out = join(dir, `out.${format}`);
    const r = flame(cpu, '--export', format, '--out', out);
    assert.equal(r.code, 0, r.err);
    const back = JSON.parse(flame(out, '--json', '--format', format).out);
    assert.equal(back.top[0].name, 'serializeReport', format);
  }
  const focused = JSON.parse(flame(cpu, '--json', '--focus', '^countPrimes$').out);
  assert.equal(focused.top[0].name, 'countPrimes');
  assert.equal(focused.top[0].selfPct, 100);
  const hidden = JSON.parse(flame(cpu, '--json', '--hide', '^serializeReport$').out);
  assert.ok(!hidden.top.some((t: { name: string }) => t.name === 'serializeReport'));
  assert.equal(hidden.top[0].name, 'handleRequest'); // the hidden function's time went to its caller
  assert.equal(flame(cpu, '--export', 'nope', '--out', join(dir, 'x')).code, 2);
  assert.equal(flame(cpu, '--export', 'folded').code, 2);
});

test('--diff: the largest changes, normalised, with vanished functions', () => {
  const dir = tempDir();
  const before = join(dir, 'before.folded');
  const after = join(dir, 'after.folded');
  writeFileSync(before, 'main;handle;serialize 60\nmain;handle;log 20\nmain;handle;work 20\n');
  writeFileSync(after, 'main;handle;serialize 10\nmain;handle;work 20\nmain;handle;cache 2\n');
  const html = join(dir, 'diff.html');
  const svg = join(dir, 'diff.svg');
  const r = flame(before, '--diff', after, '--json', '--html', html, '--svg', svg);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const by = Object.fromEntries(j.diff.changes.map((c: { name: string }) => [c.name, c]));
  assert.equal(by.serialize.beforeSelfPct, 60);
  assert.equal(by.serialize.afterSelfPct, 31.25); // 10 of 32
  assert.equal(by.log.status, 'gone');
  assert.equal(by.cache.status, 'new');
  assert.equal(by.work.status, 'grew'); // same absolute count, larger share
  assert.match(readFileSync(html, 'utf8'), /"beforeTotal"/);
  assert.match(readFileSync(svg, 'utf8'), /red grew, blue shrank/);
  const text = flame(before, '--diff', after).out;
  assert.match(text, /Largest changes/);
  // a two-count folded file is a diff by itself
  const two = join(dir, 'two.folded');
  writeFileSync(two, 'main;a 10 2\nmain;b 10 18\n');
  const d = JSON.parse(flame(two, '--json').out);
  assert.equal(d.format, 'folded-diff');
  assert.equal(d.diff.changes.find((c: { name: string }) => c.name === 'b').deltaSelfPct, 40);
});

test('bad input: exit 2 and one line naming the file, the format tried and where it broke', () => {
  const dir = tempDir();
  const text = readFileSync(cpu, 'utf8');
  const cases: [string, string | Buffer, RegExp][] = [
    [
      'truncated.cpuprofile',
      text.slice(0, 5000),
      /truncated\.cpuprofile: cpuprofile: invalid JSON at byte 5000: unexpected end of input/,
    ],
    [
      'broken.cpuprofile',
      text.replace('},{', '}@{'),
      new RegExp(
        `broken\\.cpuprofile: cpuprofile: invalid JSON at byte ${text.indexOf('},{') + 1}: unexpected "@"`,
      ),
    ],
    [
      'renamed.cpuprofile',
      text.replace('"callFrame"', '"callF"'),
      /renamed\.cpuprofile: cpuprofile: not a V8 cpuprofile/,
    ],
    [
      'garbage.bin',
      Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]),
      /garbage\.bin: not a profile format perfloop reads \(looked at the name and the first 7 bytes, binary\)/,
    ],
    [
      'wrong.cpuprofile.gz',
      Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(40, 7)]),
      /wrong\.cpuprofile\.gz: gzip: /,
    ],
    [
      'nocount.folded',
      'main;a 3\nmain;b\n',
      /nocount\.folded: folded: line 2: no sample count at the end of "main;b"/,
    ],
    ['bad.pb.gz', gzipSync(Buffer.from('this is not protobuf at all, just text')), /bad\.pb\.gz: pprof: /],
    [
      'bad.perf.txt',
      'app 1 10.0: 1 cpu-clock:\n\tzz not a frame\n',
      /bad\.perf\.txt: perf-script: line 2: cannot read stack line/,
    ],
    ['empty.folded', '', /empty\.folded: folded: no stacks in the file/],
  ];
  for (const [name, content, want] of cases) {
    const path = join(dir, name);
    writeFileSync(path, content);
    const r = flame(path);
    assert.equal(r.code, 2, `${name}: exit ${r.code} ${r.err}`);
    assert.equal(r.err.trimEnd().split('\n').length, 1, `${name}: one line, got ${r.err}`);
    assert.match(r.err, want, name);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
  assert.equal(flame(join(dir, 'missing.cpuprofile')).code, 2);
  assert.equal(flame().code, 2);
});
