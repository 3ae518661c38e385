import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import snappy from 'snappyjs';
import { cliPath, tempDir } from '../helpers.js';

/** An HTTP receiver on 127.0.0.1 keeping every request's headers and body; `status` is what it answers. */
async function receiver(status = 204): Promise<{ server: Server; url: string; got: { headers: IncomingMessage['headers']; body: Buffer }[] }> {
  const got: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

async function target(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: tempDir(), env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Protobuf wire format, read independently of the writer: field number → list of raw values. */
function decodeProto(buf: Uint8Array): Map<number, (Uint8Array | number | bigint)[]> {
  const fields = new Map<number, (Uint8Array | number | bigint)[]>();
  let i = 0;
  const varint = () => {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      x |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return x;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    let value: Uint8Array | number | bigint;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = new DataView(buf.buffer, buf.byteOffset + i, 8).getFloat64(0, true);
      i += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(i, i + len);
      i += len;
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

interface Sample {
  labels: Record<string, string>;
  value: number;
  timestamp: number;
}

function decodeWriteRequest(body: Buffer): Sample[] {
  const req = decodeProto(snappy.uncompress(body));
  return (req.get(1) ?? []).map((raw) => {
    const ts = decodeProto(raw as Uint8Array);
    const labels: Record<string, string> = {};
    for (const l of ts.get(1) ?? []) {
      const f = decodeProto(l as Uint8Array);
      labels[Buffer.from(f.get(1)![0] as Uint8Array).toString()] = Buffer.from(f.get(2)![0] as Uint8Array).toString();
    }
    const s = decodeProto((ts.get(2) ?? [])[0] as Uint8Array);
    return { labels, value: s.get(1)![0] as number, timestamp: Number(s.get(2)![0]) };
  });
}

test('--out prometheus-rw: snappy protobuf WriteRequests with k6 names, labels and values', async () => {
  const rw = await receiver();
  const t = await target();
  try {
    const r = await cli(['load', t.url, '--iterations', '300', '-c', '2', '--quiet', '--out', `prometheus-rw=${rw.url}/api/v1/write`], {
      K6_PROMETHEUS_RW_TREND_STATS: 'p(99),avg,max,count',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '200ms',
    });
    assert.equal(r.code, 0, r.err);
    assert.ok(rw.got.length >= 1);
    const h = rw.got[0].headers;
    assert.equal(h['content-type'], 'application/x-protobuf');
    assert.equal(h['content-encoding'], 'snappy');
    assert.equal(h['x-prometheus-remote-write-version'], '0.1.0');
    const last = decodeWriteRequest(rw.got.at(-1)!.body);
    const byName = (name: string) => last.filter((s) => s.labels.__name__ === name);
    const reqs = byName('k6_http_reqs_total');
    assert.ok(reqs.length >= 1, `series: ${[...new Set(last.map((s) => s.labels.__name__))].join(' ')}`);
    assert.equal(reqs.reduce((a, s) => a + s.value, 0), 300, 'the final push carries the whole count');
    assert.equal(reqs[0].labels.method, 'GET');
    assert.equal(reqs[0].labels.status, '200');
    const count = byName('k6_http_req_duration_count').reduce((a, s) => a + s.value, 0);
    assert.equal(count, 300);
    const p99 = byName('k6_http_req_duration_p99')[0].value;
    const max = byName('k6_http_req_duration_max')[0].value;
    assert.ok(p99 > 0 && p99 < 5 && p99 <= max * 1.001, `p99 ${p99} s, max ${max} s: seconds, as k6 sends them`);
    assert.equal(byName('k6_http_req_failed_rate')[0].value, 0);
    assert.ok(Math.abs(last[0].timestamp - Date.now()) < 120_000, 'timestamps in ms since the epoch');
    for (const s of last) {
      assert.match(s.labels.__name__, /^k6_[a-zA-Z0-9_:]+$/);
      const names = Object.keys(s.labels);
      assert.deepEqual(names, [...names].sort(), 'labels sorted by name, as the spec requires');
    }
  } finally {
    rw.server.close();
    t.server.close();
  }
});

test('--out otlp: OTLP/HTTP JSON metrics with names, attributes and values', async () => {
  const otlp = await receiver(200);
  const t = await target();
  try {
    const r = await cli(['load', `${t.url}`, '--iterations', '200', '-c', '2', '--quiet', '--out', `otlp=${otlp.url}/v1/metrics`], {
      K6_OTEL_FLUSH_INTERVAL: '200ms',
    });
    assert.equal(r.code, 0, r.err);
    assert.equal(otlp.got[0].headers['content-type'], 'application/json');
    const doc = JSON.parse(otlp.got.at(-1)!.body.toString());
    const rm = doc.resourceMetrics[0];
    assert.deepEqual(rm.resource.attributes, [{ key: 'service.name', value: { stringValue: 'perfloop' } }]);
    type Points = { dataPoints: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any -- the OTLP JSON as received
    const metrics = rm.scopeMetrics[0].metrics as { name: string; unit: string; sum: Points & { isMonotonic: boolean; aggregationTemporality: number }; summary: Points; gauge: Points }[];
    const m = (name: string) => metrics.find((x) => x.name === name)!;
    const reqs = m('k6.http_reqs');
    assert.equal(reqs.sum.isMonotonic, true);
    assert.equal(reqs.sum.aggregationTemporality, 2);
    assert.equal(reqs.sum.dataPoints.reduce((a: number, p) => a + (p.asDouble as number), 0), 200);
    const attrs = Object.fromEntries(reqs.sum.dataPoints[0].attributes.map((a: { key: string; value: { stringValue: string } }) => [a.key, a.value.stringValue]));
    assert.equal(attrs.method, 'GET');
    assert.equal(attrs.status, '200');
    const d = m('k6.http_req_duration');
    assert.equal(d.unit, 'ms');
    const dp = d.summary.dataPoints[0];
    assert.equal(Number(dp.count), 200);
    const q = Object.fromEntries(dp.quantileValues.map((x: { quantile: number; value: number }) => [x.quantile, x.value]));
    assert.ok(q[0] <= q[0.5] && q[0.5] <= q[0.99] && q[0.99] <= q[1] * 1.001, JSON.stringify(q));
    assert.ok(BigInt(dp.timeUnixNano) > BigInt(dp.startTimeUnixNano));
    assert.equal(m('k6.http_req_failed').gauge.dataPoints[0].asDouble, 0);
  } finally {
    otlp.server.close();
    t.server.close();
  }
});

test('--out to an endpoint that fails or is not there never stalls the load; failures are counted and reported', async () => {
  const broken = await receiver(500);
  const t = await target();
  try {
    const r = await cli(
      ['load', t.url, '--iterations', '200', '-c', '2', '--quiet', '--out', `prometheus-rw=${broken.url}/w`, '--out', 'otlp=http://127.0.0.1:9/v1/metrics'],
      { K6_PROMETHEUS_RW_PUSH_INTERVAL: '100ms', K6_OTEL_FLUSH_INTERVAL: '100ms' },
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /--out prometheus-rw: \d+ pushes sent, [1-9]\d* failed \(last: HTTP 500/);
    assert.match(r.err, /--out otlp: 0 pushes sent, [1-9]\d* failed/);
    const bad = await cli(['load', t.url, '--iterations', '1', '--quiet', '--out', 'otlp=not-a-url']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /expected an http\(s\):\/\/ URL/);
  } finally {
    broken.server.close();
    t.server.close();
  }
});
