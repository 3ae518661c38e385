import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioDifferences, scenarioOf } from '../../src/load/scenario-fingerprint.js';

const load = { executor: 'constant-vus', vus: 20, durationS: 30 };

test('scenario: host and port, weight scale, order and body values do not change it; the load does', () => {
  const a = scenarioOf(
    [
      { url: 'http://127.0.0.1:3000/api/orders/{{rand:1000}}', weight: 3 },
      { method: 'POST', url: 'http://127.0.0.1:3000/api/orders', body: '{"customer":1,"items":[{"sku":"a"}]}' },
    ],
    load,
  );
  const b = scenarioOf(
    [
      { method: 'post', url: 'http://localhost:4567/api/orders', body: '{"items":[{"sku":"zz"}],"customer":99}', weight: 2 },
      { url: 'http://localhost:4567/api/orders/{{rand:1000}}', weight: 6 },
    ],
    load,
  );
  assert.equal(a.id, b.id);
  assert.match(a.id, /^[0-9a-f]{12}$/);
  assert.match(a.description, /GET \/api\/orders\/\{\{rand:1000\}\} \(75 %\), POST \/api\/orders \(25 %\)|POST \/api\/orders \(25 %\), GET/);
  assert.match(a.description, /constant-vus \(vus 20, durationS 30\)/);
  assert.deepEqual(scenarioDifferences(a, b), []);

  const more = scenarioOf([{ url: 'http://127.0.0.1:3000/api/orders/{{rand:1000}}' }], { ...load, vus: 50 });
  const diff = scenarioDifferences(a, more);
  assert.notEqual(a.id, more.id);
  assert.ok(diff.includes('vus: 20 → 50'), diff.join('; '));
  assert.ok(diff.some((d) => /POST \/api\/orders only in the first run/.test(d)), diff.join('; '));
  assert.ok(diff.some((d) => /share of the mix 75 % → 100 %/.test(d)), diff.join('; '));

  const otherBody = scenarioOf(
    [
      { url: 'http://127.0.0.1:3000/api/orders/{{rand:1000}}', weight: 3 },
      { method: 'POST', url: 'http://127.0.0.1:3000/api/orders', body: '{"customer":"1"}' },
    ],
    load,
  );
  assert.notEqual(otherBody.id, a.id, 'another body shape is another load');
  assert.ok(scenarioDifferences(a, otherBody).some((d) => /body/.test(d)));
});
