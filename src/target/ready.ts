/**
 * Readiness checks: has the service under test started answering? Polls an HTTP URL for a 2xx
 * answer or a TCP port for an accepted connection. Each probe is short and bounded, and the caller
 * owns the overall deadline (and can abort when the target dies).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { PerfloopError } from '../core/errors.js';
import type { ReadyCheck } from './types.js';

const POLL_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 2000;
export const DEFAULT_READY_HOST = '127.0.0.1';

/** Result of one probe: ok, or why not (kept for the "not ready" error message). */
type ProbeResult = { ok: true } | { ok: false; reason: string };

/** Throws a PerfloopError for a ReadyCheck that can never succeed (bad URL, bad port). */
export function validateReadyCheck(check: ReadyCheck): void {
  if ('url' in check) {
    let url: URL;
    try {
      url = new URL(check.url);
    } catch {
      throw new PerfloopError('TARGET_BAD_OPTIONS', `ready url "${check.url}" is not a valid URL`, {
        hint: 'use a full URL such as http://127.0.0.1:3000/health',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new PerfloopError('TARGET_BAD_OPTIONS', `ready url "${check.url}" must be http:// or https://`);
    return;
  }
  if (!Number.isInteger(check.port) || check.port < 1 || check.port > 65535)
    throw new PerfloopError('TARGET_BAD_OPTIONS', `ready port ${check.port} must be an integer 1..65535`);
}

/** "GET http://127.0.0.1:3000/health answers 2xx" / "TCP connect to 127.0.0.1:3000 succeeds". */
export function describeReadyCheck(check: ReadyCheck | undefined): string {
  if (!check) return 'the process staying alive 1 s';
  if ('url' in check) return `GET ${check.url} answering 2xx`;
  return `a TCP connect to ${check.host ?? DEFAULT_READY_HOST}:${check.port} succeeding`;
}

/** Where a check connects, so perfloop can see whether something else already listens there. */
export function readyEndpoint(check: ReadyCheck): { host: string; port: number } {
  if ('url' in check) {
    const url = new URL(check.url);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    // URL keeps IPv6 hosts in brackets; net.connect wants them bare.
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  }
  return { host: check.host ?? DEFAULT_READY_HOST, port: check.port };
}

/** One probe of the check, given up after `timeoutMs`. */
export function probe(check: ReadyCheck, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return 'url' in check ? probeUrl(check.url, timeoutMs) : probeTcp(readyEndpoint(check), timeoutMs);
}

/**
 * Polls until the check succeeds (resolves with `{ ok: true }`), or until `deadline` (epoch ms) passes
 * or `signal` aborts — then resolves with the last reason it was not ready.
 */
export async function pollUntilReady(
  check: ReadyCheck,
  deadline: number,
  signal: AbortSignal,
): Promise<ProbeResult> {
  let last: ProbeResult = { ok: false, reason: 'not probed yet' };
  let probed = false;
  while (!signal.aborted && Date.now() < deadline) {
    // A hung probe must not carry us past the deadline.
    const timeoutMs = Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now()));
    const result = await probe(check, timeoutMs);
    if (result.ok || signal.aborted) return result;
    // A probe the deadline cut short says less than the answer before it: "HTTP 503" beats "request timed out".
    const cutShort = timeoutMs < PROBE_TIMEOUT_MS && /timed out/.test(result.reason);
    if (!probed || !cutShort) last = result;
    probed = true;
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())), signal);
  }
  return last;
}

function probeTcp(endpoint: { host: string; port: number }, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: 'connect timed out' }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, reason: e.code ?? e.message }));
  });
}

function probeUrl(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    // agent:false + Connection: close — no pooled keep-alive socket outlives the probe. Certificates are
    // not verified: readiness asks "does it answer?", and local services often use self-signed ones.
    const req = request(url, {
      method: 'GET',
      agent: false,
      headers: { connection: 'close', 'user-agent': 'perfloop-ready-check' },
      timeout: timeoutMs,
      rejectUnauthorized: false,
    });
    req.once('response', (res) => {
      res.resume(); // drain the body so the socket can close
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? { ok: true } : { ok: false, reason: `HTTP ${status}` });
    });
    req.once('timeout', () => req.destroy(new Error('request timed out')));
    req.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, reason: e.code ?? e.message }));
    req.end();
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
