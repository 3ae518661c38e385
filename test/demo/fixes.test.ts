import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoEndpoints, demoFixes, demoServerEntry } from '../../demo/catalog.js';
import { DemoConfigError, parseFixes } from '../../demo/fixes.js';

const allIds = [
  'n-plus-one',
  'missing-index',
  'serialization',
  'sequential-awaits',
  'sync-logging',
  'unbounded-cache',
];

describe('demo catalog', () => {
  it('lists the six fixes in loop order with every field filled', () => {
    assert.deepEqual(
      demoFixes.map((f) => f.id),
      allIds,
    );
    for (const fix of demoFixes) {
      for (const field of ['label', 'bottleneck', 'change', 'component'] as const)
        assert.ok(fix[field].length > 0);
    }
  });

  it('describes a load mix whose placeholders the load generator knows', () => {
    assert.ok(demoEndpoints.length >= 5);
    for (const endpoint of demoEndpoints) {
      assert.ok(endpoint.weight > 0);
      assert.match(endpoint.path, /^\//);
      const stripped = endpoint.path.replace(/\{\{seq\}\}|\{\{rand:\d+\}\}/g, '');
      assert.doesNotMatch(stripped, /\{\{|\}\}/, endpoint.path);
    }
    assert.ok(demoEndpoints.some((e) => e.path.includes('{{rand:1000000000}}')), 'quote ids rarely repeat');
    assert.equal(demoServerEntry, 'dist/demo/server.js');
  });
});

describe('parseFixes', () => {
  it('treats unset and empty as no fixes', () => {
    assert.deepEqual(parseFixes(undefined).enabled, []);
    assert.deepEqual(parseFixes(' ').enabled, []);
    assert.equal(parseFixes('').has('n-plus-one'), false);
  });

  it('accepts all, and comma lists in any order (returned in catalog order)', () => {
    assert.deepEqual(parseFixes('all').enabled, allIds);
    const fixes = parseFixes(' unbounded-cache , n-plus-one,,');
    assert.deepEqual(fixes.enabled, ['n-plus-one', 'unbounded-cache']);
    assert.equal(fixes.has('unbounded-cache'), true);
    assert.equal(fixes.has('missing-index'), false);
  });

  it('names every unknown id', () => {
    assert.throws(
      () => parseFixes('n-plus-one,warp,ALL'),
      (e: unknown) =>
        e instanceof DemoConfigError && /'warp', 'ALL'/.test(e.message) && !e.message.includes('\n'),
    );
  });
});
