/**
 * The configurations bench/agent-overhead-paired.ts compares, each a server process started one way: with or
 * without the agent, and the agent's request tracking taken apart (AsyncLocalStorage alone, the tracker, the
 * CPU clock's hooks) to tell what the attribution's cost is made of. The parts are loaded with `--import` of a
 * small preload that uses the agent's own compiled classes, so what is measured is the agent's code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentCollector } from '../../src/agent/collector.js';

export const SIDE_KINDS = {
  none: 'no agent',
  agent: 'agent + CPU profile (1 ms), attribution off',
  attr: "agent + CPU profile (1 ms), attribution on (the agent's default: the duty cycle's requests)",
  'attr-all': 'agent + CPU profile (1 ms), attribution on for every request (the full clock)',
  als: 'AsyncLocalStorage.run around emit(request) only (no agent)',
  tracker: "the agent's RequestTracker alone (ALS, finish listeners, records), clock off (no agent)",
  hooks: 'RequestTracker + an async hook with empty init/before/after (no agent)',
  clock: 'RequestTracker + its CPU clock on (no agent, no profiler)',
} as const;
export type SideKind = keyof typeof SIDE_KINDS;

const agentModule = (name: string) =>
  JSON.stringify(new URL(`../../src/agent/${name}`, import.meta.url).href);

/** Preload sources by kind (none for the agent's kinds: the agent has its own preload). */
const PRELOADS: Partial<Record<SideKind, string>> = {
  als: `import http from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
const store = new AsyncLocalStorage();
const emit = http.Server.prototype.emit;
let seq = 0;
http.Server.prototype.emit = function (type, ...rest) {
  if (type !== 'request') return emit.call(this, type, ...rest);
  return store.run({ id: ++seq }, () => emit.call(this, type, ...rest));
};`,
  tracker: trackerPreload(''),
  hooks: trackerPreload(`import { createHook } from 'node:async_hooks';
createHook({ init() {}, before() {}, after() {} }).enable();`),
  clock: trackerPreload('tracker.cpu.enable(1);'),
};

function trackerPreload(extra: string): string {
  return `import { RequestTracker } from ${agentModule('request-context.js')};
const tracker = new RequestTracker();
tracker.install();
setInterval(() => tracker.drain(), 250).unref();
${extra}`;
}

/** What a started side needs from the bench: its env, and around the session what the agent must do. */
export interface SideSetup {
  env: Record<string, string>;
  /** After the server is up: the agent connected, the CPU profile started. */
  begin(): Promise<void>;
  /** Before the server stops: the profile stopped; what the agent timed. */
  end(profilePath: string): Promise<string>;
  close(): Promise<void>;
}

export async function setUpSide(kind: SideKind, dir: string): Promise<SideSetup> {
  const preload = PRELOADS[kind];
  const attribution = { agent: '0', attr: '1', 'attr-all': 'all' } as Partial<Record<SideKind, string>>;
  if (attribution[kind] === undefined) {
    const env: Record<string, string> = {};
    if (preload) {
      const file = join(dir, `preload-${kind}.mjs`);
      writeFileSync(file, preload);
      env.NODE_OPTIONS = `--import ${pathToFileURL(file).href}`;
    }
    return { env, begin: async () => {}, end: async () => '', close: async () => {} };
  }
  const collector = await AgentCollector.listen({ sampleMs: 250 });
  return {
    env: { ...collector.targetEnv(''), PERFLOOP_AGENT_REQUEST_CPU: attribution[kind]! },
    async begin() {
      await collector.waitForAgent(10_000);
      await collector.startProfile(1000);
    },
    async end(profilePath) {
      const { samples } = await collector.stopProfile(profilePath);
      const timed = collector.requests.filter((r) => typeof r.cpuMs === 'number').length;
      return `profile samples ${samples}, requests ${collector.requests.length}, with CPU ${timed}`;
    },
    close: () => collector.close(),
  };
}
