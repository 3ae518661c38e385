import { readFileSync } from 'node:fs';

/**
 * Connections this machine's kernel refused to queue because a listening socket's accept queue was full
 * (`TcpExt: ListenOverflows` in /proc/net/netstat); null where that is not readable (not Linux).
 *
 * A load test that opens thousands of connections at once against a target on the same machine overflows a
 * default backlog (511 in Node, somaxconn 4096): the dropped handshakes are retried by TCP after 1, 3, 7, 15 s,
 * and those seconds end up in the latencies. Without this counter that looks like the target stalling.
 */
export function readListenOverflows(path = '/proc/net/netstat'): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return parseListenOverflows(text);
}

/** The ListenOverflows value of /proc/net/netstat's text: a "TcpExt:" header line, then its values line. */
export function parseListenOverflows(text: string): number | null {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].startsWith('TcpExt:') || !lines[i + 1].startsWith('TcpExt:')) continue;
    const names = lines[i].split(/\s+/);
    const values = lines[i + 1].split(/\s+/);
    const k = names.indexOf('ListenOverflows');
    if (k < 0 || values.length !== names.length) return null;
    const n = Number(values[k]);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** The warning for a run during which `dropped` connection attempts overflowed a listen queue here. */
export function listenOverflowWarning(dropped: number): string | null {
  if (!(dropped > 0)) return null;
  return (
    `This machine's kernel dropped ${dropped} connection attempts during the run because a listen queue was full ` +
    `(TcpExt ListenOverflows): if the target runs here, its accept backlog overflowed and those connections ` +
    `waited for TCP retransmits (1 s, 3 s, 7 s …), which are in the latencies — raise the target's listen ` +
    `backlog and net.core.somaxconn, or ramp the VUs up (ramping-vus) instead of opening them all at once.`
  );
}
