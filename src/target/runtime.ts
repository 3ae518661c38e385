/**
 * Which runtime a started target is, from what the kernel shows of it: /proc/PID/exe (the binary), cmdline and
 * maps (a shared libpython or libjvm). The target is started through `sh -c`, so the shell and wrappers such as
 * `npm start` are looked through: the first process of the tree that is not a shell is the service.
 *
 * Go binaries are recognised by their build info (the `\xff Go buildinf:` header Go's linker writes into
 * .go.buildinfo, https://go.dev/src/debug/buildinfo/buildinfo.go), which also carries the Go version.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { processTree } from './proc-tree.js';

export type RuntimeName = 'node' | 'go' | 'java' | 'python' | 'native';

export interface RuntimeInfo {
  name: RuntimeName;
  /** e.g. `go1.19.8`, `17.0.15`, `3.12.1`, `v20.11.0`; null when the binary does not say. */
  version: string | null;
  /** The service's own process (not the shell that started it). */
  pid: number;
  /** Its binary, from /proc/PID/exe. */
  exe: string;
}

const SHELLS = /^(sh|bash|dash|zsh|ash|busybox|env|npm|npx|yarn|pnpm|make|timeout|nice|time|exec|setsid|stdbuf)$/;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function exeOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return '';
  }
}

/** The service's process in the tree rooted at `rootPid`: the first one whose binary is not a shell or wrapper. */
export function serviceProcess(rootPid: number): number {
  const tree = processTree(rootPid);
  for (const pid of tree) {
    const exe = basename(exeOf(pid));
    const argv0 = basename(readText(`/proc/${pid}/cmdline`).split('\0')[0] ?? '');
    // npm runs as `node …/npm-cli.js`: a wrapper, whatever its binary.
    if (SHELLS.test(exe) || SHELLS.test(argv0) || /(^|\/)(npm|npx|yarn|pnpm)(-cli)?(\.c?js)?$/.test(readText(`/proc/${pid}/cmdline`).split('\0')[1] ?? ''))
      continue;
    if (exe) return pid;
  }
  return tree.at(-1) ?? rootPid;
}

export function detectRuntime(rootPid: number): RuntimeInfo {
  const pid = serviceProcess(rootPid);
  const exe = exeOf(pid);
  const name = basename(exe);
  const maps = readText(`/proc/${pid}/maps`);
  if (/^node(\d+)?$/.test(name)) return { name: 'node', version: versionOf(exe, ['--version']), pid, exe };
  if (name === 'java' || /\/libjvm\.so$/m.test(maps))
    return { name: 'java', version: javaVersion(exe), pid, exe };
  const libpython = /libpython(3\.\d+)/.exec(maps);
  if (/^python(\d(\.\d+)?)?$/.test(name) || libpython)
    return { name: 'python', version: versionOf(exe, ['-V'])?.replace(/^Python /, '') ?? libpython?.[1] ?? null, pid, exe };
  const go = goBuildVersion(exe);
  if (go) return { name: 'go', version: go, pid, exe };
  return { name: 'native', version: null, pid, exe };
}

function versionOf(exe: string, args: string[]): string | null {
  if (!exe) return null;
  const r = spawnSync(exe, args, { encoding: 'utf8', timeout: 5000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0];
  return text ? text : null;
}

/** `openjdk version "17.0.15" 2025-04-15` → 17.0.15. */
function javaVersion(exe: string): string | null {
  const line = versionOf(exe, ['-version']);
  return line ? (/"([^"]+)"/.exec(line)?.[1] ?? line) : null;
}

const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Go binaries are rarely this large; anything bigger is not scanned (a native binary of a GB, say). */
const MAX_SCAN_BYTES = 512 * 1024 * 1024;

/**
 * The Go version from a binary's build info, or null when it is not a Go binary. Go ≥ 1.18 writes the version
 * inline after the 32-byte header (flag bit 2) as a varint-prefixed string; older binaries point to it, so for
 * them the first `go1.N` string after the header is taken.
 */
export function goBuildVersion(exe: string): string | null {
  let fd: number | undefined;
  try {
    const size = statSync(exe).size;
    if (size > MAX_SCAN_BYTES) return null;
    fd = openSync(exe, 'r');
    const chunk = 8 * 1024 * 1024;
    const buf = Buffer.alloc(chunk + 64);
    let carry = 0;
    for (let pos = 0; pos < size; pos += chunk) {
      const n = readSync(fd, buf, carry, chunk, pos);
      const view = buf.subarray(0, carry + n);
      const at = view.indexOf(GO_BUILDINFO_MAGIC);
      if (at >= 0) {
        const header = Buffer.alloc(96);
        readSync(fd, header, 0, 96, pos - carry + at);
        if (header[15] & 2) {
          const len = header[32];
          const v = header.subarray(33, 33 + len).toString('latin1');
          if (/^go\d/.test(v)) return v;
        }
        return /go1\.\d+(\.\d+)?/.exec(header.toString('latin1'))?.[0] ?? 'go';
      }
      // Keep the tail so a header that straddles two chunks is still found.
      view.copy(buf, 0, Math.max(0, view.length - 16));
      carry = Math.min(16, view.length);
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
