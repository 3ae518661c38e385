import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { cliPath, tempDir } from '../helpers.js';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SCRIPT = `export const options = { thresholds: { http_req_failed: ['rate<0.01'] } };
export default async function (ctx) { await ctx.http.get('http://api.internal/orders?x=1&y=<b>'); }
`;

interface JobShape {
  metadata: { name: string; namespace?: string };
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    backoffLimit: number;
    template: { spec: { restartPolicy: string; containers: { command: string[]; image: string; resources: unknown }[]; volumes?: { configMap: { name: string } }[] } };
  };
}

for (const n of [1, 4, 32]) {
  test(`k8s render: ConfigMap + Indexed Job for ${n} pods validate against the Kubernetes schemas`, () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'orders.js'), SCRIPT);
    const r = cli(
      ['k8s', 'render', 'orders.js', '--parallelism', String(n), '--namespace', 'load', '--image', 'registry.local/perfloop:1', '-d', '30s', '--rate', '500', '--threshold', 'p(95)<200'],
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as { kind: string });
    assert.deepEqual(docs.map((d) => d.kind), ['ConfigMap', 'Job']);
    new ConfigMap(docs[0] as ConstructorParameters<typeof ConfigMap>[0]).validate();
    new Job(docs[1] as ConstructorParameters<typeof Job>[0]).validate();
    const cm = docs[0] as unknown as { metadata: { name: string }; data: Record<string, string> };
    assert.equal(cm.data['orders.js'], SCRIPT, 'the script travels verbatim');
    const job = docs[1] as unknown as JobShape;
    assert.equal(job.metadata.namespace, 'load');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, n);
    assert.equal(job.spec.parallelism, n);
    assert.equal(job.spec.backoffLimit, 0, 'a retried shard would send its load twice');
    const pod = job.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(pod.volumes?.[0].configMap.name, cm.metadata.name);
    const [sh, dashC, command] = pod.containers[0].command;
    assert.deepEqual([sh, dashC], ['/bin/sh', '-c']);
    assert.equal(pod.containers[0].image, 'registry.local/perfloop:1');
    assert.ok(pod.containers[0].resources);
    // The pod's shell computes its segment from the index Kubernetes gives it: run it with echo for perfloop.
    for (const index of [0, n - 1]) {
      const echoed = spawnSync('/bin/sh', ['-c', command.replace(/^exec perfloop /, 'exec echo ')], {
        env: { ...process.env, JOB_COMPLETION_INDEX: String(index) },
        encoding: 'utf8',
      }).stdout.trim();
      assert.match(echoed, new RegExp(`--segment ${index + 1}/${n}$`));
      assert.match(echoed, /^load \/perfloop\/script\/orders\.js --duration 30s --rate 500 --threshold p\(95\)<200 --start-at \d{4}-\d\d-\d\dT[\d:.]+Z --frame-result --quiet/);
    }
  });
}

test('k8s render: a URL needs no ConfigMap; bad usage exits 2 with one line', () => {
  const dir = tempDir();
  const r = cli(['k8s', 'render', 'http://127.0.0.1:9/x', '--parallelism', '2', '--start-at', '2030-01-01T00:00:00Z', '--name', 'nightly'], dir);
  assert.equal(r.code, 0, r.err);
  const docs = parseAllDocuments(r.out).map((d) => d.toJS() as JobShape & { kind: string });
  assert.deepEqual(docs.map((d) => d.kind), ['Job']);
  new Job(docs[0] as unknown as ConstructorParameters<typeof Job>[0]).validate();
  assert.equal(docs[0].metadata.name, 'nightly');
  assert.match(docs[0].spec.template.spec.containers[0].command[2], /--start-at 2030-01-01T00:00:00\.000Z/);
  for (const [args, message] of [
    [['k8s', 'render', 'http://127.0.0.1:9/x'], /--parallelism N is required/],
    [['k8s', 'render', 'missing.js', '--parallelism', '2'], /no script missing\.js/],
    [['k8s', 'render', 'http://127.0.0.1:9/x', '--parallelism', '2', '--name', 'Bad_Name'], /not a Kubernetes name/],
    [['k8s', 'deploy'], /expected render or run/],
  ] as const) {
    const bad = cli([...args], dir);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.err}`);
    assert.match(bad.err, message);
    assert.doesNotMatch(bad.err, /\n\s+at /);
  }
});
