import { compileChecks } from '../checks.js';
import type { Vu } from '../executors/types.js';
import { Http1Connection } from '../http1/connection.js';
import type { ScenarioPlan } from '../options.js';
import type { LoadRecorder } from '../recorder.js';
import type { ThreadPlan } from '../runner.js';
import { RequestMix, type RequestTemplate } from '../scenario.js';
import type { Transport } from '../transport/types.js';
import type { UndiciTransport } from '../transport/undici.js';
import { seededRandom, TemplateFiller } from '../url-template.js';
import { RequestVu, type RequestVuEnv } from './request-vu.js';

/** Makes the VUs of one thread: request VUs (quick mode, declarative) or script VUs. */
export interface VuFactory {
  /** Tag `name` of each request template (empty for scripts: their names are URLs or tags). */
  readonly requestNames: string[];
  /** Called once the run's recorder exists, before any VU is made. */
  /** `endsAt`: performance.now() time of the run's plan plus gracefulStop (k6 scripts' hard end). */
  attach(recorder: LoadRecorder, scenarioNames: readonly string[], endsAt?: number): void;
  create(id: number, scenarioIndex: number, scenario: ScenarioPlan): Vu;
  /** Problems worth telling the user (script errors). */
  warnings(): string[];
  close(): Promise<void>;
}

export async function createVuFactory(plan: ThreadPlan): Promise<VuFactory> {
  if (plan.source.kind === 'script') {
    const { isK6Script } = await import('../k6/imports.js');
    if (isK6Script(plan.source.path)) {
      const { k6VuFactory } = await import('../k6/vu.js');
      return k6VuFactory(plan, plan.source.path);
    }
    const { scriptVuFactory } = await import('../script/script-vu.js');
    return scriptVuFactory(plan, plan.source.path);
  }
  const undici = await undiciIfNeeded(plan, plan.source.requests);
  return requestVuFactory(plan, plan.source.requests, undici);
}

type UndiciClass = typeof UndiciTransport;

/** undici is loaded only for runs that use it (https://, HTTP/2): it costs ~0.1 s of start-up otherwise. */
async function undiciIfNeeded(
  plan: Pick<ThreadPlan, 'http2'>,
  requests: readonly RequestTemplate[],
): Promise<UndiciClass | null> {
  if (!plan.http2 && requests.every((r) => !/^https:/i.test(r.url))) return null;
  return (await import('../transport/undici.js')).UndiciTransport;
}

/** The transport for an origin: the lean HTTP/1.1 loop for http://, undici for https:// and HTTP/2. */
export function transportFactory(
  plan: Pick<ThreadPlan, 'http2' | 'insecure' | 'timeoutMs' | 'pipelining'>,
  undici: UndiciClass | null,
): (origin: string) => Transport {
  const hosts = new Map<string, { host: string; port: number }>();
  return (origin) => {
    if (origin.startsWith('http:') && !plan.http2) {
      let hp = hosts.get(origin);
      if (!hp) {
        const u = new URL(origin);
        hp = { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
        hosts.set(origin, hp);
      }
      return new Http1Connection(hp.host, hp.port, {
        timeoutMs: plan.timeoutMs,
        pipelining: plan.pipelining,
      });
    }
    if (!undici) throw new Error(`no transport for ${origin}: undici was not loaded`);
    return new undici(origin, {
      http2: plan.http2,
      insecure: plan.insecure,
      timeoutMs: plan.timeoutMs,
    });
  };
}

function requestVuFactory(
  plan: ThreadPlan,
  requests: RequestTemplate[],
  undici: UndiciClass | null,
): VuFactory {
  // Each segment draws its own repeatable random sequence ({{rand:N}}, the weighted pick).
  const random = seededRandom((plan.seed >>> 0) + plan.segment.residue * 7919);
  const mix = new RequestMix(requests, new TemplateFiller(random), random);
  const checks = requests.map((t) => (t.checks ? compileChecks(t.checks) : null));
  const newTransport = transportFactory(plan, undici);
  // With pipelining p, every p consecutive VUs share one connection: p requests in flight on it (autocannon's -p).
  const shared = new Map<string, Transport>();
  const transport = (origin: string, slot: number): Transport => {
    if (plan.pipelining <= 1) return newTransport(origin);
    const key = `${origin}|${slot}`;
    let t = shared.get(key);
    if (!t) shared.set(key, (t = newTransport(origin)));
    return t;
  };
  let env: RequestVuEnv | null = null;
  let created = 0;
  return {
    requestNames: mix.names,
    attach(recorder, scenarioNames) {
      env = { mix, recorder, transport, checks, scenarioNames };
    },
    create: (id, scenarioIndex) =>
      new RequestVu(id, env!, scenarioIndex, Math.floor(created++ / Math.max(1, plan.pipelining))),
    warnings: () => [],
    close: async () => {},
  };
}
