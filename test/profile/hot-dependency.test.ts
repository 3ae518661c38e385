/** cpu.hot-dependency: the way into a library that holds the CPU, on profiles built to show it and healthy ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Profile } from '../../src/core/profile.js';
import { analyseProfile } from '../../src/profile/analyse/index.js';
import { dependencyShares, packageOf, shortPlace } from '../../src/profile/analyse/dependency-entries.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';

type Stack = [string, string?, number?][]; // [name, file, line]

/** Each stack's weight is that many 1 ms samples, so the evidence floors apply as to a real profile. */
function profile(stacks: [Stack, number][]): Profile {
  const b = new ProfileBuilder({ format: 'test' }, 'us');
  for (const [stack, weight] of stacks) {
    const id = b.stack(stack.map(([name, file, line]) => b.frame({ name, file, line: line ?? 1 })));
    for (let i = 0; i < weight; i++) b.sample(id, 1000);
  }
  return b.build();
}

const NM = '/srv/app/node_modules';
const APP = '/srv/app/src/routes.js';
const express: Stack = [
  ['parserOnIncoming', 'node:_http_server'],
  ['handle', `${NM}/express/lib/router/index.js`, 280],
  ['next', `${NM}/express/lib/router/route.js`, 149],
];
const hot = (p: Profile) => analyseProfile(p).findings.filter((f) => f.rule === 'cpu.hot-dependency');

test('packageOf and shortPlace: innermost package, scoped names, the path between elided', () => {
  assert.equal(packageOf(`${NM}/json-server/node_modules/lodash/lodash.js`), 'lodash');
  assert.equal(packageOf(`file://${NM}/@scope/pkg/dist/x.js`), '@scope/pkg');
  assert.equal(packageOf(APP), null);
  assert.equal(shortPlace({ function: 'list', file: `${NM}/json-server/lib/server/router/plural.js`, line: 177 }), 'json-server/…/plural.js:177');
  assert.equal(shortPlace({ function: 'x', file: `${NM}/lodash/lodash.js`, line: 9 }), 'lodash/lodash.js:9');
  assert.equal(shortPlace({ function: 'x', file: APP, line: 3 }), 'src/routes.js:3');
});

test("the service's own function calling a library that holds the CPU: named with the library function and its share", () => {
  const p = profile([
    // listPosts → lodash cloneDeep → baseClone (+ a builtin below it, which counts for lodash)
    [[...express, ['listPosts', APP, 12], ['cloneDeep', `${NM}/lodash/lodash.js`, 11171], ['baseClone', `${NM}/lodash/lodash.js`, 2667]], 400],
    [[...express, ['listPosts', APP, 12], ['cloneDeep', `${NM}/lodash/lodash.js`, 11171], ['baseClone', `${NM}/lodash/lodash.js`, 2667], ['ObjectKeys', 'native ']], 200],
    [[...express, ['showPost', APP, 30], ['JSON.stringify', 'native ']], 200],
    [[...express, ['showPost', APP, 30]], 200],
  ]);
  const [f, ...rest] = hot(p);
  assert.ok(f, 'fires');
  assert.equal(rest.length, 0, 'express itself holds 0 % (its frames only dispatch)');
  assert.equal(f.evidence.package, 'lodash');
  assert.equal(f.evidence.pct, 60);
  const [entry] = f.evidence.entries as { caller: { function: string }; entry: { function: string }; pct: number; appFrame: unknown }[];
  assert.equal(entry.caller.function, 'listPosts');
  assert.equal(entry.entry.function, 'cloneDeep');
  assert.equal(entry.pct, 60);
  assert.equal(entry.appFrame, null, 'the caller is the service itself');
  assert.match(f.title, /^lodash holds 60 % of CPU time; the way in: `listPosts` \(src\/routes\.js:12\) → lodash cloneDeep: 60 % inclusive$/);
});

test('the service is itself a dependency (json-server): its own entry point is the way in; a framework run is found where it ends', () => {
  const plural = `${NM}/json-server/lib/server/router/plural.js`;
  const router = `${NM}/json-server/lib/server/router/index.js`;
  const p = profile([
    [[...express, ['list', plural, 177], ['wrapperValue', `${NM}/lodash/lodash.js`, 9000], ['baseClone', `${NM}/lodash/lodash.js`, 2667]], 450],
    [[...express, ['render', router, 45], ['jsonp', `${NM}/express/lib/response.js`, 300], ['stringify', `${NM}/express/lib/response.js`, 1155], ['JSON.stringify', 'native ']], 350],
    [[...express, ['show', plural, 250]], 200],
  ]);
  const byPkg = new Map(hot(p).map((f) => [f.evidence.package, f]));
  assert.deepEqual([...byPkg.keys()], ['lodash', 'express', 'json-server']);
  assert.match(byPkg.get('json-server')!.title, /`next` \(express\/…\/route\.js:149\) → json-server show: 20 % inclusive/);
  assert.match(byPkg.get('lodash')!.title, /`list` \(json-server\/…\/plural\.js:177\) → lodash wrapperValue: 45 % inclusive/);
  assert.match(byPkg.get('express')!.title, /`render` \(json-server\/…\/index\.js:45\) → express jsonp: 35 % inclusive/);
});

test('a dependency calling another for the service: the nearest own function is named too', () => {
  const p = profile([
    [[...express, ['exportAll', APP, 40], ['toCsv', `${NM}/csv-kit/index.js`, 5], ['cloneDeep', `${NM}/lodash/lodash.js`, 11171]], 500],
    [[...express, ['exportAll', APP, 40], ['work', APP, 41]], 500],
  ]);
  const [f] = hot(p);
  assert.ok(f);
  assert.match(f.title, /your `exportAll` \(src\/routes\.js:40\) → `toCsv` \(csv-kit\/index\.js:5\) → lodash cloneDeep: 50 % inclusive/);
});

test('quiet when no package holds 15 % of the CPU (the service’s own code does the work)', () => {
  const stacks: [Stack, number][] = [];
  for (let i = 0; i < 10; i++) stacks.push([[...express, [`route${i}`, APP], [`compute${i}`, APP]], 100]);
  stacks.push([[...express, ['route0', APP], ['cloneDeep', `${NM}/lodash/lodash.js`]], 100]);
  const p = profile(stacks);
  assert.deepEqual(hot(p), []);
  const lodash = dependencyShares(p, frameWeights(p)).find((d) => d.name === 'lodash');
  assert.equal(lodash?.pct, 9.09, 'measured, below the floor');
});
