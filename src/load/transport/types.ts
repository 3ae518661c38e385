import type { EncodedRequest } from '../http1/request.js';
import type { ResponseCallback } from '../http1/connection.js';

/**
 * One VU's connection: the HTTP/1.1 fast path (Http1Connection on a raw socket) or undici (TLS, HTTP/2).
 * Callback-based so the fast path allocates no promise per request.
 */
export interface Transport {
  send(req: EncodedRequest, cb: ResponseCallback): void;
  close(): void;
  /** Fails requests older than the timeout; called by the engine's periodic sweep. */
  expire(now: number): void;
}
