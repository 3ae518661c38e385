/** The join of the agent's per-request CPU to the load's endpoints, and the cpu.endpoint-dominates floors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSummary } from '../../src/core/run.js';
import type { CapturedRequest } from '../../src/agent/protocol.js';
import { endpointCpu } from '../../src/loop/endpoint-cpu.js';
import { RequestMix } from '../../src/load/scenario.js';
import { TemplateFiller } from '../../src/load/url-template.js';
import { findEndpointCpuDominance } from '../../src/loop/rules/endpoint-cpu.js';

const latency = { count: 0, mean: 5, min: 1, max: 9, p50: 4, p90: 7, p95: 8, p99: 9 };
const ep = (name: string, count: number, extra: Partial<EndpointSummary> = {}): EndpointSummary => ({
  name,
  errors: 0,
  ...latency,
  count,
  ...extra,
});
let seq = 0;
const req = (method: string, url: string, cpuMs?: number): CapturedRequest => ({
  id: String(++seq),
  method,
  url,
  status: 200,
  durationMs: 1,
  t: 0,
  ...(cpuMs === undefined ? {} : { cpuMs }),
});

test('endpointCpu: by template (named, placeholders, query), by default name, by k6 URL name; unmatched counted', () => {
  const endpoints = [
    ep('list', 2),
    ep('GET /posts/{{rand:9}}', 2),
    ep('POST /login', 1),
    ep('http://127.0.0.1:1/health', 1),
  ];
  const templates = [
    { name: 'list', url: 'http://127.0.0.1:1/posts?_limit=20' },
    { url: 'http://127.0.0.1:1/posts/{{rand:9}}' },
  ];
  const requests = [
    req('GET', '/posts?_limit=20', 30),
    req('GET', '/posts?_limit=20', 20),
    req('GET', '/posts/3', 1),
    req('GET', '/posts/7', 3),
    req('POST', '/login', 4),
    req('GET', '/health', 0.5),
    req('GET', '/elsewhere', 1.5),
    req('GET', '/posts', undefined), // not timed (attribution off when it began): left out
  ];
  const r = endpointCpu(endpoints, requests, templates);
  assert.equal(r.totalMs, 60);
  assert.equal(r.unmatched, 1);
  const by = new Map(r.endpoints.map((e) => [e.name, e]));
  assert.deepEqual([by.get('list')!.cpuMsPerRequest, by.get('list')!.cpuShare], [25, 83.3]);
  // The load names the second template by its path with the placeholder as written (RequestMix.names).
  assert.deepEqual(new RequestMix(templates, new TemplateFiller(Math.random), Math.random).names, [
    'list',
    'GET /posts/{{rand:9}}',
  ]);
  assert.deepEqual(
    [by.get('GET /posts/{{rand:9}}')!.cpuMsPerRequest, by.get('GET /posts/{{rand:9}}')!.cpuShare],
    [2, 6.7],
  );
  assert.deepEqual([by.get('POST /login')!.cpuMsPerRequest, by.get('POST /login')!.cpuShare], [4, 6.7]);
  assert.equal(by.get('http://127.0.0.1:1/health')!.cpuMsPerRequest, 0.5);
  // How many requests each mean is over (the agent times a sample of them), so a reader can judge its error.
  assert.deepEqual(
    [...by.values()].map((e) => e.cpuTimedRequests),
    [2, 2, 1, 1],
  );
});

test('endpointCpu: nothing timed (not Node, or attribution off) leaves the endpoints as they were', () => {
  const endpoints = [ep('GET /a', 5)];
  const r = endpointCpu(endpoints, [req('GET', '/a')], []);
  assert.deepEqual(r.endpoints, endpoints);
  assert.equal(r.endpoints[0].cpuShare, undefined);
});

const heavy = (extra: Partial<EndpointSummary> = {}) =>
  ep('GET /posts', 200, { cpuMsPerRequest: 20, cpuShare: 95, p95: 60, ...extra });
const light = (extra: Partial<EndpointSummary> = {}) =>
  ep('GET /posts/1', 200, { cpuMsPerRequest: 1, cpuShare: 5, p95: 55, ...extra });

test('cpu.endpoint-dominates fires on one dear endpoint holding a busy loop, and says the others wait', () => {
  // 200 requests × 20 ms over 5 s = 800 ms of every second.
  const [f, ...rest] = findEndpointCpuDominance([heavy(), light()], 5);
  assert.equal(rest.length, 0);
  assert.equal(f.rule, 'cpu.endpoint-dominates');
  assert.equal(f.evidence.busyMsPerS, 800);
  assert.equal(f.estimatedImpact.pct, 80);
  assert.equal(
    f.title,
    'GET /posts spends 95 % of the CPU (20 ms per request, 800 ms of every second on the main thread); other endpoints wait behind it on the event loop (GET /posts/1: p95 55 ms for 1 ms of its own CPU)',
  );
  // The others' latency is their own work: no "wait behind it" clause.
  const [g] = findEndpointCpuDominance([heavy(), light({ p95: 2 })], 5);
  assert.doesNotMatch(g.title, /wait behind/);
});

test('cpu.endpoint-dominates stays quiet on balanced, traffic-mix-only, idle and thin evidence', () => {
  const quiet = (name: string, endpoints: EndpointSummary[], durationS = 5) =>
    assert.deepEqual(findEndpointCpuDominance(endpoints, durationS), [], name);
  quiet('balanced', [
    heavy({ cpuShare: 52, cpuMsPerRequest: 10 }),
    light({ cpuShare: 48, cpuMsPerRequest: 9 }),
  ]);
  // 90 % of the CPU only because it gets 9 of 10 requests at the same cost per request.
  quiet('traffic mix', [
    heavy({ count: 900, cpuMsPerRequest: 2, cpuShare: 90 }),
    light({ count: 100, cpuMsPerRequest: 2, cpuShare: 10 }),
  ]);
  // 200 × 1 ms over 10 s = 20 ms per second: the loop is idle, nobody waits.
  quiet('idle loop', [heavy({ cpuMsPerRequest: 1 }), light({ cpuMsPerRequest: 0.05 })], 10);
  quiet('few requests', [heavy({ count: 10 }), light()]);
  quiet('one endpoint', [heavy()]);
  quiet('no CPU data', [ep('GET /a', 100), ep('GET /b', 100)]);
});
