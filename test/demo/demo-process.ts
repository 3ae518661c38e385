/** Starts the compiled demo server as a child process for the demo tests, and stops it again. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { demoServerEntry } from '../../demo/catalog.js';
import { repoRoot } from '../helpers.js';

export const serverPath = join(repoRoot, demoServerEntry);

export interface DemoProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export interface ExitedDemo {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnDemo(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [serverPath], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Waits for the server's own "listening" line (its readiness signal) or its exit. The timeout is only a last
 * guard against a hung process, far beyond what even a loaded 2-core machine needs (seeding PGlite there has
 * taken over 50 s), and says so when it fires.
 */
export function startDemo(env: Record<string, string>, timeoutMs = 600_000): Promise<DemoProcess> {
  const child = spawnDemo(env);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo server neither listened nor exited in ${timeoutMs} ms (the last-resort guard: it hangs); stderr:\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with ${code} before listening; stderr:\n${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /^perfloop-demo listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        child,
        stderr: () => stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** Runs the server when it is expected to refuse to start. */
export function runDemoToExit(env: Record<string, string>, timeoutMs = 300_000): Promise<ExitedDemo> {
  const child = spawnDemo(env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo server did not exit in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function getJson<T = unknown>(base: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(base + path);
  return { status: response.status, body: (await response.json()) as T };
}
