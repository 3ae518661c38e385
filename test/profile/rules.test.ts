/** Each CPU rule fires on a profile made to show its pattern and stays quiet on a healthy one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Profile } from '../../src/core/profile.js';
import { parseCategoryRules } from '../../src/profile/analyse/category-config.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';

type Stack = [string, string?][]; // [name, file]

/**
 * A profile in which each stack's weight is that many 1 ms samples: real profiles are many small samples, and
 * the rules' evidence floors (≥ 100 samples, ≥ 20 ms per finding) apply as they do to a real one.
 */
function profile(stacks: [Stack, number][]): Profile {
  const b = new ProfileBuilder({ format: 'test' }, 'us');
  for (const [stack, weight] of stacks) {
    const id = b.stack(stack.map(([name, file]) => b.frame({ name, file, line: 1 })));
    for (let i = 0; i < weight; i++) b.sample(id, 1000);
  }
  return b.build();
}

const APP = '/srv/app/src/handlers.js';
const http: Stack = [
  ['parserOnIncoming', 'node:_http_server'],
  ['handle', APP],
];

/** A service spending its time evenly in many own functions: nothing stands out. */
function healthy(): Profile {
  const stacks: [Stack, number][] = [];
  for (let i = 0; i < 30; i++) stacks.push([[...http, [`route${i}`, APP], [`compute${i}`, APP]], 100]);
  stacks.push([[...http, ['pg.query', '/srv/app/node_modules/pg/lib/client.js']], 100]);
  stacks.push([[['(garbage collector)']], 60]);
  return profile(stacks);
}

const rules = (p: Profile) => analyseProfile(p).findings.map((f) => f.rule);

test('a healthy profile gives no findings at all', () => {
  assert.deepEqual(rules(healthy()), []);
});

test('cpu.hot-path: one function reached from many call paths', () => {
  const stacks: [Stack, number][] = [];
  for (const route of ['listOrders', 'showOrder', 'exportOrders', 'dashboard']) {
    stacks.push([[...http, [route, APP], ['loadPermissions', '/srv/app/src/auth.js']], 100]);
    stacks.push([[...http, [route, APP], [`${route}Work`, APP]], 150]);
  }
  const a = analyseProfile(profile(stacks));
  const f = a.findings.find((x) => x.rule === 'cpu.hot-path')!;
  assert.ok(f, `findings: ${a.findings.map((x) => x.rule)}`);
  assert.equal(f.evidence.function, 'loadPermissions');
  assert.equal(f.evidence.callPaths, 4);
  assert.equal(f.estimatedImpact.pct, 30); // 40 % total, 10 % through the largest caller
  assert.ok(
    !a.findings.some((x) => x.rule === 'cpu.hot-path' && x.evidence.function === 'handle'),
    'one caller: not a wide base',
  );
});

test('cpu.deep-recursion: a tall narrow tower', () => {
  const tower: Stack = [...http];
  for (let i = 0; i < 40; i++) tower.push(['walkTree', '/srv/app/src/tree.js']);
  const p = profile([
    [tower, 300],
    [[...http, ['render', APP]], 700],
  ]);
  const f = analyseProfile(p).findings.find((x) => x.rule === 'cpu.deep-recursion')!;
  assert.equal(f.evidence.function, 'walkTree');
  assert.equal(f.evidence.maxRecursion, 40);
  assert.equal(f.evidence.pct, 30);
  // a few levels of recursion is a tree walk, not a tower
  const shallow: Stack = [...http, ['walkTree', APP], ['walkTree', APP], ['walkTree', APP]];
  assert.ok(
    !rules(
      profile([
        [shallow, 300],
        [[...http, ['render', APP]], 700],
      ]),
    ).includes('cpu.deep-recursion'),
  );
});

test('cpu.gc-pressure: the collector takes a large share', () => {
  const p = profile([
    [[['(garbage collector)']], 250],
    [[...http, ['render', APP]], 750],
  ]);
  const f = analyseProfile(p).findings.find((x) => x.rule === 'cpu.gc-pressure')!;
  assert.equal(f.evidence.pct, 25);
  assert.equal(f.estimatedImpact.pct, 12.5);
});

test('cpu.logging: logging is visible, and the logging callers are named', () => {
  const pino: Stack = [
    ...http,
    ['info', '/srv/app/node_modules/pino/lib/proto.js'],
    ['writeSync', 'node:fs'],
  ];
  const p = profile([
    [pino, 150],
    [[...http, ['render', APP]], 850],
  ]);
  const f = analyseProfile(p).findings.find((x) => x.rule === 'cpu.logging')!;
  assert.equal(f.evidence.pct, 15);
  assert.equal((f.evidence.callers as { function: string }[])[0].function, 'handle');
  assert.match(f.recommendation, /Logged from handle/);
});

test('cpu.serialization: JSON and serializer libraries', () => {
  const p = profile([
    [[...http, ['JSON.stringify']], 200],
    [[...http, ['encode', '/srv/app/node_modules/protobufjs/src/writer.js']], 100],
    [[...http, ['render', APP]], 700],
  ]);
  const f = analyseProfile(p).findings.find((x) => x.rule === 'cpu.serialization')!;
  assert.equal(f.evidence.pct, 30);
});

test('cpu.regexp: regular expressions', () => {
  const p = profile([
    [[...http, ['RegExp: (a+)+b']], 120],
    [[...http, ['render', APP]], 880],
  ]);
  assert.equal(analyseProfile(p).findings.find((x) => x.rule === 'cpu.regexp')?.evidence.pct, 12);
});

test('cpu.sync-io: sync fs/zlib/crypto on a server path, but not module loading', () => {
  const p = profile([
    [[...http, ['readConfig', APP], ['readFileSync', 'node:fs']], 60],
    [[...http, ['gzipSync', 'node:zlib']], 40],
    [
      [
        ['loadESM', 'node:internal/modules/esm/loader'],
        ['readFileSync', 'node:fs'],
      ],
      300,
    ],
    [[...http, ['render', APP]], 600],
  ]);
  const f = analyseProfile(p).findings.find((x) => x.rule === 'cpu.sync-io')!;
  assert.equal(f.evidence.pct, 10); // module loading's 300 left out
  assert.equal(f.evidence.server, true);
  const calls = f.evidence.calls as { call: string; caller: string | null }[];
  assert.deepEqual(
    calls.map((c) => c.call),
    ['readFileSync', 'gzipSync'],
  );
  assert.match(calls[0].caller!, /^readConfig/);
  // the same calls only at startup: quiet
  assert.ok(
    !rules(
      profile([
        [
          [
            ['loadESM', 'node:internal/modules/esm/loader'],
            ['readFileSync', 'node:fs'],
          ],
          300,
        ],
        [[...http, ['render', APP]], 700],
      ]),
    ).includes('cpu.sync-io'),
  );
});

test('priorities rank by estimated time saved, one per target; categories are configurable', () => {
  const p = profile([
    [[...http, ['billTenant', '/srv/app/src/billing/tariff.js']], 500],
    [[...http, ['render', APP]], 300],
    [[['(garbage collector)']], 200],
  ]);
  const a = analyseProfile(p);
  assert.equal(a.priorities[0].target, 'billTenant');
  assert.ok(a.priorities.every((x, i) => i === 0 || x.estimatedPct <= a.priorities[i - 1].estimatedPct));
  const custom = parseCategoryRules(
    'categories:\n  - category: billing\n    file: "src/billing/"\n    action: "Cache the tariff table"\n',
  );
  const b = analyseProfile(p, { categoryRules: custom });
  assert.equal(b.top[0].category, 'billing');
  assert.equal(b.top[0].action, 'Cache the tariff table');
  assert.equal(b.categories[0].name, 'billing');
  assert.throws(
    () => parseCategoryRules('categories:\n  - category: x\n'),
    /categories\.0: needs "file" or "name"/,
  );
  assert.throws(
    () => parseCategoryRules('categories:\n  - category: x\n    name: "("\n'),
    /categories\.0\.name: /,
  );
});

test('evidence floors: a pattern in too few samples or too little CPU time says nothing', () => {
  // The hot function of the test above, in 40 samples: 5 % of 40 is chance.
  const b = new ProfileBuilder({ format: 'test' }, 'us');
  const hot = b.stack([...http, ['crunch', APP]].map(([name, file]) => b.frame({ name, file, line: 1 })));
  const rest = b.stack([...http, ['other', APP]].map(([name, file]) => b.frame({ name, file, line: 1 })));
  for (let i = 0; i < 40; i++) b.sample(i % 2 ? hot : rest, 1000);
  assert.deepEqual(analyseProfile(b.build()).findings, [], 'under 100 samples');
  // 300 samples of 10 µs: 3 ms of CPU in all, so no finding reaches the 20 ms floor.
  const c = new ProfileBuilder({ format: 'test' }, 'us');
  const h = c.stack([...http, ['crunch', APP]].map(([name, file]) => c.frame({ name, file, line: 1 })));
  for (let i = 0; i < 300; i++) c.sample(h, 10);
  assert.deepEqual(analyseProfile(c.build()).findings, [], 'under 20 ms');
});
