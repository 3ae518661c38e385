/** The load benchmarks' shared parts: nginx as the target (CPU 0), generators pinned to CPU 1 and measured. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function need(cmd: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
  } catch {
    console.error(`${cmd} is not installed (Debian: apt-get install -y nginx wrk)`);
    process.exit(2);
  }
}

export function startNginx(PORT: number): { proc: ChildProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-nginx-'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    // Room for one keep-alive connection per VU (k6-vus-memory runs 5,000): with worker_connections below the
    // VU count nginx reclaims idle keep-alive connections to accept new ones, so every VU reconnects again and
    // again and the generator spends its time in connect() — that, not the engine, capped 5,000 sleeping VUs at
    // ~1,000–1,600 iterations/s. The backlog (capped by net.core.somaxconn) keeps the start-up connect storm
    // out of SYN retransmits (1 s, 3 s).
    `worker_processes 1;
worker_rlimit_nofile 40000;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${PORT} backlog=16384; location / { return 200 "hello"; } }
}
`,
  );
  const proc = spawn('taskset', ['-c', '0', 'nginx', '-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: 'inherit',
  });
  return { proc, dir };
}

/** Runs a generator pinned to CPU 1; returns its stdout and the CPU seconds it used. */
export function run(cmd: string, args: string[]): Promise<{ out: string; cpuS: number; maxRssKb: number }> {
  return new Promise((resolveRun, reject) => {
    const p = spawn('taskset', ['-c', '1', '/usr/bin/time', '-f', 'CPU %U %S %M', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('exit', (code) => {
      const m = /CPU ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(err);
      if ((code === 0 || code === 99) && m)
        resolveRun({ out, cpuS: Number(m[1]) + Number(m[2]), maxRssKb: Number(m[3]) });
      else reject(new Error(`${cmd} exited ${code}: ${err}`));
    });
  });
}

