import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { runLoad } from '../../src/load/engine.js';
import {
  listenOverflowWarning,
  parseListenOverflows,
  readListenOverflows,
} from '../../src/load/listen-overflows.js';

test('ListenOverflows is read from the TcpExt lines of /proc/net/netstat', () => {
  const text =
    'TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops\n' +
    'TcpExt: 0 3 52113 52120\n' +
    'IpExt: InNoRoutes InTruncatedPkts\n' +
    'IpExt: 0 0\n';
  assert.equal(parseListenOverflows(text), 52113);
  assert.equal(parseListenOverflows('IpExt: A\nIpExt: 1\n'), null);
  assert.equal(listenOverflowWarning(0), null);
  assert.match(listenOverflowWarning(7)!, /dropped 7 connection attempts .* listen queue was full/);
});

test(
  'a target whose accept queue overflows: the run says so instead of blaming the target',
  { skip: readListenOverflows() === null ? 'no /proc/net/netstat here' : false },
  async () => {
    // A server with a backlog of 1 whose event loop is blocked (a synchronous read of its stdin) until the
    // kernel has counted overflows: it cannot accept, so of the 30 connections opened at once most overflow
    // its queue. Then it is unblocked; the dropped handshakes wait for TCP's SYN retries (1 s, 3 s …), so the
    // run is cut short by a 1.5 s request timeout.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('node:http').createServer((q, r) => r.end('ok'));
         s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
           console.log(s.address().port);
           setTimeout(() => require('node:fs').readSync(0, Buffer.alloc(1)), 10);
         });`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      // The port line, however the pipe splits it.
      let printed = '';
      while (!/^\d+\n/.test(printed)) printed += String(((await once(child.stdout!, 'data')) as [Buffer])[0]);
      const line = printed.split('\n')[0];
      await new Promise((r) => setTimeout(r, 100)); // the server is now blocked in readSync
      const before = readListenOverflows()!;
      const run = runLoad({
        requests: [{ url: `http://127.0.0.1:${Number(String(line).trim())}/` }],
        options: { vus: 30, duration: '1s', gracefulStop: '0s' },
        timeoutMs: 1500,
      });
      for (let waited = 0; readListenOverflows()! === before && waited < 10_000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
      child.stdin!.write('x');
      const r = await run;
      assert.ok(r.toJSON().metrics.http_reqs.count > 0, 'the accepted connections were served');
      assert.ok(
        (r.extras.warnings ?? []).some((w) => /listen queue was full/.test(w)),
        `warnings: ${JSON.stringify(r.extras.warnings)}`,
      );
    } finally {
      child.kill('SIGKILL');
    }
  },
);
