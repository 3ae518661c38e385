/**
 * perfloop's Node agent entry, preloaded into the target with
 *   NODE_OPTIONS="--import file:///…/dist/src/agent/preload.js" PERFLOOP_AGENT_SOCKET=/tmp/…/agent.sock
 * (AgentCollector.targetEnv() builds both). Without PERFLOOP_AGENT_SOCKET it does nothing.
 *
 * NODE_OPTIONS is inherited by wrapper processes (npm, sh → node, tsx), so the agent stays dormant
 * until the process opens its first TCP listener: only the process that actually serves connects.
 * (Listening on a unix socket or pipe does not count — that is how tools like tsx talk to their
 * child.) Drivers are patched at that moment, asynchronously: queries issued before the first
 * 'listening' (migrations, seeding) are not captured. The collector sees the agent once its hello
 * arrives, which is sent after the patching, so every query after waitForAgent() is captured.
 */
import net from 'node:net';
import { Agent } from './agent.js';
import { wrapMethod } from './patch-util.js';
import { AGENT_SAMPLE_MS_ENV, AGENT_SOCKET_ENV } from './protocol.js';

function sampleInterval(): number {
  const ms = Number(process.env[AGENT_SAMPLE_MS_ENV]);
  return Number.isFinite(ms) && ms >= 10 ? Math.round(ms) : 250;
}

function install(socketPath: string): void {
  let agent: Agent | null = null;
  function onListening(this: net.Server): void {
    try {
      if (agent !== null) return;
      const address = this.address();
      if (address === null || typeof address === 'string') return; // a pipe, not a service port
      agent = new Agent(socketPath, sampleInterval());
      void agent.start();
    } catch {
      /* the service must not notice the agent */
    }
  }
  wrapMethod(
    net.Server.prototype,
    'listen',
    (original) =>
      function listen(this: unknown, ...args: unknown[]) {
        try {
          if (agent === null && this instanceof net.Server) this.once('listening', onListening);
        } catch {
          /* never in the way of listen() */
        }
        return Reflect.apply(original, this, args);
      },
  );
}

try {
  const socketPath = process.env[AGENT_SOCKET_ENV];
  if (socketPath) install(socketPath);
} catch {
  /* a broken agent must never stop the service from starting */
}
