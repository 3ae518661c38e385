/**
 * The HTTP version a server actually speaks: the HTTP-version of its status line (RFC 9112 §2.3, `HTTP/1.0` or
 * `HTTP/1.1`) to the load engine's own request bytes, parsed by the load engine's own response parser; over TLS,
 * h2 when the server picks it by ALPN (RFC 7301; RFC 9113 §3.2) from the h2 and http/1.1 a client offers.
 * One request, before the measured window: what an HTTP/1.0-only server (no keep-alive: a connection per
 * request) or an h2 one means for the numbers is the reader's to judge, and the report names it.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { encodeRequest } from './http1/request.js';
import { ResponseParser, type ParsedResponse } from './http1/response-parser.js';

export interface HttpVersionSeen {
  /** `1.0`, `1.1` or `2`. */
  version: string;
  /** Where it was read: the status line, or the TLS handshake's ALPN. */
  from: 'status-line' | 'alpn';
}

/** Null when the server did not answer within `timeoutMs` or not in HTTP/1.x (the load reports that itself). */
export function probeHttpVersion(url: string, timeoutMs = 3000): Promise<HttpVersionSeen | null> {
  let req: ReturnType<typeof encodeRequest>;
  try {
    req = encodeRequest({ method: 'GET', url, headers: { connection: 'close' } });
  } catch {
    return Promise.resolve(null);
  }
  const tls = url.startsWith('https:');
  return new Promise((resolve) => {
    let settled = false;
    const parser = new ResponseParser();
    const done = (v: HttpVersionSeen | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const fromResponse = (r: ParsedResponse) => done({ version: `1.${r.httpMinor}`, from: 'status-line' });
    const socket: Socket = tls
      ? tlsConnect({
          host: req.host,
          port: req.port,
          servername: /^[\d.]+$|:/.test(req.host) ? undefined : req.host,
          ALPNProtocols: ['h2', 'http/1.1'],
          // Only the version is read: a self-signed test certificate must not hide it.
          rejectUnauthorized: false,
        })
      : netConnect({ host: req.host, port: req.port });
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      const alpn = tls ? (socket as ReturnType<typeof tlsConnect>).alpnProtocol : false;
      if (alpn === 'h2') return done({ version: '2', from: 'alpn' });
      socket.write(req.bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.feed(chunk, fromResponse);
      } catch {
        done(null);
      }
    });
    socket.once('end', () => {
      const r = parser.finishOnClose();
      if (r) fromResponse(r);
      done(null);
    });
    socket.once('error', () => done(null));
  });
}
