import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { kernelConstants, parseProcStat, readProcStat } from '../../src/target/proc-stat.js';
import { processTree } from '../../src/target/proc-tree.js';
import { pidRunning, waitUntil } from './support.js';

/** A real /proc/<pid>/stat line (52 fields) with a hostile command name. */
const STAT =
  '4242 (my (weird) app) S 17 4242 17 34816 4242 4194304 1200 0 3 0 250 75 40 10 20 0 11 0 ' +
  '987654 1100000000 12800 18446744073709551615 1 1 0 0 0 0 0 16781312 134235650 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';

describe('parseProcStat', () => {
  test('counts fields after the last ")" so the command name may contain spaces and parens', () => {
    assert.deepEqual(parseProcStat(STAT), {
      pid: 4242,
      comm: 'my (weird) app',
      state: 'S',
      ppid: 17,
      pgrp: 4242,
      ownTicks: 325,
      reapedChildTicks: 50,
      threads: 11,
      startTicks: 987654,
      rssPages: 12800,
    });
  });

  test('garbage is undefined, not an exception', () => {
    assert.equal(parseProcStat(''), undefined);
    assert.equal(parseProcStat('12 (x) S 1'), undefined);
  });
});

test('readProcStat reads a live process named with spaces and parens; undefined once it is gone', async () => {
  const child = spawn(
    process.execPath,
    ['-e', "process.title = 'my (weird) app'; setInterval(() => {}, 1000)"],
    {
      stdio: 'ignore',
    },
  );
  try {
    const pid = child.pid as number;
    const stat = await waitUntil('the title to be set', () => {
      const s = readProcStat(pid);
      return s?.comm === 'my (weird) app' ? s : undefined;
    });
    assert.equal(stat.ppid, process.pid);
    assert.equal(stat.state === 'S' || stat.state === 'R', true, `state ${stat.state}`);
    assert.ok(stat.threads > 1, 'node runs several threads');
    assert.equal(stat.pid, pid);
    assert.ok(stat.rssPages > 0);
    assert.deepEqual(processTree(process.pid).slice(0, 1), [process.pid]);
    assert.ok(processTree(process.pid).includes(pid));
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(pidRunning(child.pid as number), false);
  assert.equal(readProcStat(child.pid as number), undefined, 'reaped by us, so gone from /proc');
  assert.deepEqual(processTree(child.pid as number), []);
});

test('processTree walks grandchildren', async () => {
  const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
  try {
    const tree = await waitUntil('sh and two sleeps', () => {
      const t = processTree(process.pid);
      return t.length >= 4 ? t : undefined;
    });
    assert.equal(tree[0], process.pid);
    assert.ok(tree.includes(child.pid as number));
    const subtree = processTree(child.pid as number);
    assert.equal(subtree.length, 3);
    for (const pid of subtree.slice(1)) assert.equal(readProcStat(pid)?.ppid, child.pid);
  } finally {
    const shPid = child.pid as number;
    const sleeps = processTree(shPid).slice(1);
    for (const pid of sleeps) process.kill(pid, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
});

test('kernel constants come out sane', () => {
  const { clockTicksPerSecond, pageSizeBytes } = kernelConstants();
  assert.ok([100, 250, 1000, 1024].includes(clockTicksPerSecond));
  assert.ok(pageSizeBytes >= 4096 && (pageSizeBytes & (pageSizeBytes - 1)) === 0, 'a power of two');
});
