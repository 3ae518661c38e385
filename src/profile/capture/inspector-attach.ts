/**
 * `perfloop profile --pid PID`: profile a running Node process. SIGUSR1 makes Node open its inspector
 * (https://nodejs.org/en/learn/getting-started/debugging#enable-inspector) on 127.0.0.1:9229 unless the process
 * set another --inspect-port; perfloop finds the target's WebSocket URL at /json/list, speaks the Chrome DevTools
 * Protocol (Profiler.start/stop) over undici's WebSocket, and closes the inspector again afterwards.
 */
import { writeFileSync } from 'node:fs';
import { WebSocket } from 'undici';
import { PerfloopError } from '../../core/errors.js';
import type { CaptureResult } from './node-agent.js';
import { waitFor } from './process-group.js';

export interface PidCaptureOptions {
  pid: number;
  out: string;
  durationMs: number;
  port?: number;
  intervalUs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

async function inspectorUrl(port: number, pid: number, deadline: number): Promise<string> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`);
      const list = (await res.json()) as { webSocketDebuggerUrl?: string }[];
      const url = list.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
      if (url) return url;
      last = 'no debuggable target listed';
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PerfloopError(
    'INSPECTOR_UNREACHABLE',
    `pid ${pid}: its inspector did not open on 127.0.0.1:${port} (${last})`,
    {
      hint: 'is it a Node process you may signal? If it was started with --inspect-port=N, pass --inspect-port N',
      exitCode: 1,
    },
  );
}

/** A minimal CDP client: one request at a time is all a profile needs. */
class Cdp {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (ev) => {
      const m = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.error) p.reject(new Error(m.error.message));
      else p.resolve(m.result);
    });
    ws.addEventListener('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('the inspector connection closed'));
      this.pending.clear();
    });
  }

  static open(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => resolve(new Cdp(ws)));
      ws.addEventListener('error', () =>
        reject(new PerfloopError('INSPECTOR_UNREACHABLE', `cannot connect to ${url}`, { exitCode: 1 })),
      );
    });
  }

  send<T>(method: string, params: object = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

export async function captureFromPid(o: PidCaptureOptions): Promise<CaptureResult> {
  const port = o.port ?? 9229;
  try {
    process.kill(o.pid, 'SIGUSR1');
  } catch (e) {
    throw new PerfloopError(
      'TARGET_NOT_FOUND',
      `pid ${o.pid}: cannot signal it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { exitCode: 2 },
    );
  }
  const url = await inspectorUrl(port, o.pid, Date.now() + 10_000);
  const cdp = await Cdp.open(url);
  try {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: o.intervalUs ?? 1000 });
    await cdp.send('Profiler.start');
    o.log?.(
      `profiling pid ${o.pid} for ${Math.round(o.durationMs / 1000)} s through its inspector (Ctrl-C stops early)`,
    );
    await waitFor(o.durationMs, o.signal);
    const { profile } = await cdp.send<{ profile: { samples?: number[] } }>('Profiler.stop');
    writeFileSync(o.out, JSON.stringify(profile));
    await cdp.send('Profiler.disable').catch(() => undefined);
    // Close the inspector we opened: an open debugger port is not something to leave behind.
    // (Closing drops this connection, so the answer may never come: check the port instead.)
    await Promise.race([
      cdp
        .send('Runtime.evaluate', {
          expression:
            "(typeof require === 'function' ? require('inspector') : process.binding('inspector')).close()",
          includeCommandLineAPI: true,
        })
        .catch(() => undefined),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);
    const stillOpen = await fetch(`http://127.0.0.1:${port}/json/list`).then(
      () => true,
      () => false,
    );
    if (stillOpen)
      o.log?.(`note: the inspector of pid ${o.pid} stays open on 127.0.0.1:${port} until it exits`);
    return { path: o.out, via: 'inspector', samples: profile.samples?.length };
  } finally {
    cdp.close();
  }
}
