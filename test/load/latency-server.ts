/**
 * A target whose latency the test controls, in its own process (so its timers and stalls do not share the
 * generator's event loop). Started by servers.ts with JSON options:
 *   { "delayMs": 20 }                                    every response after 20 ms
 *   { "stallMs": 1000, "stallEveryMs": 5000, "stallAfterMs": 300 }
 *                                                        the whole process freezes (a busy loop, like a GC
 *                                                        pause) for 1 s every 5 s, from 300 ms after the first request
 * GET /__reset forgets what was served (after a warm-up); GET /__stats answers the server's own view: requests served and its latency percentiles (ms).
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Histogram } from '../../src/core/histogram.js';

const o = JSON.parse(process.argv[2] ?? '{}') as {
  delayMs?: number;
  stallMs?: number;
  stallEveryMs?: number;
  stallAfterMs?: number;
};
const served = new Histogram();
// The server's own scheduling delays (its clock starts at the 'request' event, so it cannot see them otherwise).
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const lagMs = (ns: number) => Math.max(0, ns / 1e6 - 10);
let count = 0;
let stalling: NodeJS.Timeout | undefined;

const stall = () => {
  const until = Date.now() + (o.stallMs ?? 0);
  while (Date.now() < until) {
    // frozen: nothing else runs in this process
  }
};

const server = createServer((req, res) => {
  if (req.url === '/__stats') {
    res.end(
      JSON.stringify({
        count,
        p50: served.percentile(50) / 1000,
        p99: served.percentile(99) / 1000,
        lagP99: lagMs(lag.percentile(99)),
        lagMax: lagMs(lag.max),
      }),
    );
    return;
  }
  if (req.url === '/__reset') {
    served.reset();
    lag.reset();
    count = 0;
    res.end('ok');
    return;
  }
  count++;
  if (o.stallMs && !stalling) {
    stalling = setTimeout(function again() {
      stall();
      stalling = setTimeout(again, o.stallEveryMs ?? 5000);
    }, o.stallAfterMs ?? 0);
  }
  const start = performance.now();
  const send = () => {
    res.end('ok');
    served.recordMs(performance.now() - start);
  };
  if (o.delayMs) setTimeout(send, o.delayMs);
  else send();
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
