import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../core/profile.js';
import { AgentCollector } from '../agent/collector.js';
import { importCpuProfile } from '../profile/import/cpuprofile.js';
import { startTarget, type RunningTarget } from '../target/index.js';
import type { ReadyCheck } from '../target/types.js';
import { withoutAgentWork } from './agent-work.js';

const AGENT_WAIT_MS = 5000;

export interface PageServerOptions {
  command: string;
  ready: ReadyCheck;
  readyTimeoutMs?: number;
  cwd: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/**
 * The server behind the pages, started by `perfloop page --target CMD` the way `perfloop run` starts a service:
 * its own process group, readiness check, and (for Node) the agent preloaded, so the server's CPU profile covers
 * exactly the page loads — browser time and server time of the same run, side by side.
 */
export class PageServer {
  readonly warnings: string[] = [];
  private constructor(
    private readonly target: RunningTarget,
    private collector: AgentCollector | null,
  ) {}

  static async start(o: PageServerOptions): Promise<PageServer> {
    const collector = await AgentCollector.listen();
    o.log?.(`starting target: ${o.command}`);
    let target: RunningTarget;
    try {
      target = await startTarget({
        command: o.command,
        cwd: o.cwd,
        env: collector.targetEnv(),
        ready: o.ready,
        readyTimeoutMs: o.readyTimeoutMs,
        signal: o.signal,
      });
    } catch (e) {
      await collector.close();
      throw e;
    }
    const server = new PageServer(target, collector);
    try {
      await collector.waitForAgent(AGENT_WAIT_MS);
    } catch {
      server.warnings.push('No server CPU profile: the target is not a Node process (or blocks --import), so the perfloop agent did not connect.');
      await collector.close();
      server.collector = null;
    }
    return server;
  }

  async startProfile(): Promise<void> {
    await this.collector?.startProfile(1000);
  }

  /** The server's CPU profile over the page loads (perfloop's own agent work left out), written into `dir`. */
  async stopProfile(dir: string): Promise<Profile | null> {
    if (!this.collector?.connected) return null;
    const path = join(dir, 'server.cpuprofile');
    try {
      const { ownWork } = await this.collector.stopProfile(path);
      return withoutAgentWork(importCpuProfile(JSON.parse(readFileSync(path, 'utf8')), 'server.cpuprofile'), { ownWork });
    } catch (e) {
      this.warnings.push(`No server CPU profile: ${(e as Error).message}`);
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.target.hasExited())
      this.warnings.push(`The target exited during the run; its last stderr: ${this.target.stderrTail(5).join(' | ') || '(none)'}`);
    await this.target.stop();
    await this.collector?.close();
  }
}
