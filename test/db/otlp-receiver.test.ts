import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/db/otlp-receiver.js';
import { queriesReport } from '../../src/db/queries-report.js';
import { fixture } from '../helpers.js';

/** The OTLP/HTTP receiver `perfloop run --otlp` starts: an exporter posts JSON batches to /v1/traces. */
describe('OTLP/HTTP receiver', () => {
  let rx: OtlpReceiver;
  const body = readFileSync(fixture('db', 'otlp', 'n-plus-one.otlp.json'), 'utf8');
  const batches = (() => {
    // split the real file into two export requests, as a batching exporter would
    const doc = JSON.parse(body);
    const spans = doc.resourceSpans[0].scopeSpans.flatMap((s: { spans: unknown[] }) => s.spans);
    const half = Math.floor(spans.length / 2);
    const wrap = (s: unknown[]) =>
      JSON.stringify({
        resourceSpans: [
          { resource: doc.resourceSpans[0].resource, scopeSpans: [{ scope: { name: 'x' }, spans: s }] },
        ],
      });
    return [wrap(spans.slice(0, half)), wrap(spans.slice(half))];
  })();

  before(async () => {
    rx = await startOtlpReceiver();
  });
  after(async () => {
    await rx?.close();
  });

  it('listens on 127.0.0.1 and tells the target how to export to it', () => {
    assert.match(rx.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(rx.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, `${rx.url}/v1/traces`);
    assert.equal(rx.env().OTEL_EXPORTER_OTLP_PROTOCOL, 'http/json');
  });

  it('accepts JSON batches (plain and gzip) and finds the N+1 across them', async () => {
    const plain = await fetch(rx.tracesEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batches[0],
    });
    assert.equal(plain.status, 200);
    assert.deepEqual(await plain.json(), { partialSuccess: {} });
    const gz = await fetch(rx.tracesEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(batches[1]),
    });
    assert.equal(gz.status, 200);
    assert.equal(rx.stats().exports, 2);
    const { queries, requests } = rx.observed();
    assert.equal(requests.length, 3);
    assert.equal(queries.length, 19);
    const n1 = queriesReport({ queries, requests, kind: 'otlp' }).findings.filter(
      (f) => f.rule === 'db.n-plus-one',
    );
    assert.equal(n1.length, 1);
    assert.equal(n1[0].evidence.meanRepeats, 8);
  });

  it('refuses protobuf (415), other paths (404), other methods (405) and bad JSON (400)', async () => {
    const proto = await fetch(rx.tracesEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([1, 2, 3]),
    });
    assert.equal(proto.status, 415);
    assert.match(((await proto.json()) as { message: string }).message, /http\/json/);
    assert.equal((await fetch(`${rx.url}/v1/metrics`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(rx.tracesEndpoint)).status, 405);
    const bad = await fetch(rx.tracesEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans": [',
    });
    assert.equal(bad.status, 400);
    assert.equal(rx.stats().exports, 2, 'rejected bodies add nothing');
  });

  it('close() frees the port', async () => {
    const other = await startOtlpReceiver();
    const port = other.port;
    await other.close();
    const again = await startOtlpReceiver({ port });
    assert.equal(again.port, port);
    await again.close();
  });
});
