/**
 * One load generator for two servers at once, alternating between them: each of `lanes` lanes holds one keep-alive
 * connection to each server and sends a GET to one, waits for the whole response, then to the other, and so on.
 * Both servers get the same number of requests, interleaved in time, so whatever else the machine does in a round
 * (a neighbour's build, the scheduler, the frequency) lands on both alike — the point of a paired comparison.
 * Raw sockets and one fixed request, so the generator spends little CPU; only 127.0.0.1 is ever targeted.
 */
import net from 'node:net';

export interface Target {
  port: number;
  path: string;
}

export interface AlternatingLoad {
  /** Lanes run until `stop()`; counts of complete responses per target (and non-2xx, errors) so far. */
  readonly completed: [number, number];
  readonly failures: number;
  /** The first target of each lane's pair; flipped between rounds so neither side always goes first. */
  firstSide: 0 | 1;
  stop(): Promise<void>;
}

/** Reads one HTTP/1.1 response at a time from a socket: the head, then Content-Length bytes or chunks to 0. */
class ResponseReader {
  private buffer = '';
  private waiting: ((status: number) => void) | null = null;

  private closed = false;

  constructor(socket: net.Socket) {
    socket.setEncoding('latin1');
    // A server gone (killed, crashed): the waiting request ends as a failure (status 0) instead of hanging.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.(0);
      this.waiting = null;
    });
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.tryComplete();
    });
  }

  next(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.tryComplete();
    });
  }

  private tryComplete(): void {
    if (this.waiting === null) return;
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.slice(0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = headEnd + 4 + Number(length[1]);
      if (this.buffer.length < end) return;
    } else {
      const last = this.buffer.indexOf('\r\n0\r\n\r\n', headEnd);
      if (last < 0) return;
      end = last + 7;
    }
    this.buffer = this.buffer.slice(end);
    const resolve = this.waiting;
    this.waiting = null;
    resolve(status);
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export async function startAlternatingLoad(
  targets: [Target, Target],
  lanes: number,
): Promise<AlternatingLoad> {
  let running = true;
  const state = { completed: [0, 0] as [number, number], failures: 0, firstSide: 0 as 0 | 1 };
  const requests = targets.map((t) => `GET ${t.path} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n\r\n`);
  const lane = async () => {
    const sockets = await Promise.all(targets.map((t) => connect(t.port)));
    const readers = sockets.map((s) => new ResponseReader(s));
    try {
      while (running) {
        const first = state.firstSide;
        for (const side of [first, 1 - first] as const) {
          sockets[side].write(requests[side]);
          const status = await readers[side].next();
          if (status >= 200 && status < 300) state.completed[side]++;
          else state.failures++;
          if (status === 0) return;
        }
      }
    } finally {
      for (const s of sockets) s.destroy();
    }
  };
  const all = Array.from({ length: lanes }, lane);
  return {
    get completed() {
      return state.completed;
    },
    get failures() {
      return state.failures;
    },
    get firstSide() {
      return state.firstSide;
    },
    set firstSide(side: 0 | 1) {
      state.firstSide = side;
    },
    async stop() {
      running = false;
      await Promise.all(all);
    },
  };
}
