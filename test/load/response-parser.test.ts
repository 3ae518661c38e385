import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser, ResponseParseError, type ParsedResponse } from '../../src/load/http1/response-parser.js';

function parseAll(chunks: string[], headFirst = false): ParsedResponse[] {
  const p = new ResponseParser();
  if (headFirst) p.expectNoBody();
  const out: ParsedResponse[] = [];
  for (const c of chunks) p.feed(Buffer.from(c, 'latin1'), (r) => out.push(r));
  return out;
}

const fixed = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello';
const chunked = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n';

test('content-length, chunked and pipelined responses in one buffer', () => {
  const out = parseAll([fixed + chunked + 'HTTP/1.1 204 No Content\r\n\r\n' + fixed]);
  assert.deepEqual(out.map((r) => r.status), [200, 201, 204, 200]);
  assert.equal(out[0].bytes, fixed.length);
  assert.equal(out[1].bytes, chunked.length);
  assert.ok(out.every((r) => r.keepAlive));
});

test('every split point of a byte stream gives the same responses', () => {
  const stream = fixed + chunked + fixed;
  for (let cut = 1; cut < stream.length; cut++) {
    const out = parseAll([stream.slice(0, cut), stream.slice(cut)]);
    assert.deepEqual(out.map((r) => [r.status, r.bytes]), [
      [200, fixed.length],
      [201, chunked.length],
      [200, fixed.length],
    ], `cut at ${cut}`);
  }
  // byte by byte
  assert.equal(parseAll([...stream]).length, 3);
});

test('feeding from one reused buffer (as the connection reads): kept heads and captured bodies are copies', () => {
  const stream = `HTTP/1.1 200 OK\r\nX-Long: ${'h'.repeat(40)}\r\nContent-Length: 11\r\n\r\nhello world` + chunked;
  const shared = Buffer.alloc(64);
  for (let cut = 1; cut < stream.length; cut += 7) {
    const p = new ResponseParser();
    const out: ParsedResponse[] = [];
    // As the connection does: the next response's capture is asked for when the previous one completes.
    p.captureBody();
    const onResponse = (r: ParsedResponse) => {
      out.push(r);
      p.captureBody();
    };
    for (let at = 0; at < stream.length; at += cut) {
      // Before each read the shared buffer still holds the previous read's bytes, then is overwritten.
      const piece = Buffer.from(stream.slice(at, at + cut), 'latin1');
      for (let o = 0; o < piece.length; o += shared.length) {
        const n = piece.copy(shared, 0, o, o + shared.length);
        p.feed(shared.subarray(0, n), onResponse);
        shared.fill(0x58); // scribble: anything the parser kept without copying is now garbage
      }
    }
    assert.deepEqual(
      out.map((r) => [r.status, r.body?.toString('latin1')]),
      [
        [200, 'hello world'],
        [201, 'hello world'],
      ],
      `reads of ${cut} bytes`,
    );
  }
});

test('Connection: close, HTTP/1.0, 1xx interim and HEAD', () => {
  assert.equal(parseAll(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'])[0].keepAlive, false);
  assert.equal(parseAll(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'])[0].keepAlive, false);
  const interim = parseAll(['HTTP/1.1 100 Continue\r\n\r\n' + fixed]);
  assert.deepEqual(interim.map((r) => r.status), [200]);
  const head = parseAll(['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'], true);
  assert.equal(head.length, 1);
});

test('a body until close completes when the socket ends', () => {
  const p = new ResponseParser();
  const out: ParsedResponse[] = [];
  p.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome body'), (r) => out.push(r));
  assert.equal(out.length, 0);
  assert.ok(p.readsUntilClose);
  const r = p.finishOnClose();
  assert.equal(r?.status, 200);
  assert.equal(r?.keepAlive, false);
});

test('malformed responses throw', () => {
  assert.throws(() => parseAll(['GARBAGE\r\n\r\n']), ResponseParseError);
  assert.throws(() => parseAll(['HTTP/1.1 abc OK\r\n\r\n']), ResponseParseError);
  assert.throws(() => parseAll(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']), /chunk size/);
});

test('captureHeaders keeps the final response headers (k6 scripts): lower-case names, repeats as arrays, values trimmed', () => {
  const stream =
    'HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Type:  text/plain \r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n__proto__: data\r\nContent-Length: 2\r\n\r\nok' +
    fixed;
  for (let cut = 1; cut < stream.length; cut += 7) {
    const p = new ResponseParser();
    const out: ParsedResponse[] = [];
    p.captureHeaders();
    p.feed(Buffer.from(stream.slice(0, cut), 'latin1'), (r) => out.push(r));
    p.feed(Buffer.from(stream.slice(cut), 'latin1'), (r) => out.push(r));
    assert.equal(out.length, 2, `cut at ${cut}`);
    const h = out[0].headers!;
    assert.equal(out[0].status, 200);
    assert.equal(h['content-type'], 'text/plain');
    assert.deepEqual(h['set-cookie'], ['a=1', 'b=2']);
    assert.equal(h['__proto__'], 'data', 'a header named __proto__ is data, not a prototype');
    assert.equal(h['x-interim'], undefined, "the 100's headers are not the response's");
    assert.equal(out[1].headers, undefined, 'only the response it was asked for');
  }
});
