import { Session } from 'node:inspector/promises';

/** A real V8 CPU profile of this process doing `work` (for flame graph links and diffs). */
export async function captureCpuProfile(work: () => void): Promise<object> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    work();
    const { profile } = await session.post('Profiler.stop');
    return profile;
  } finally {
    session.disconnect();
  }
}

export function busy(ms: number, fn: (i: number) => number): number {
  const end = Date.now() + ms;
  let x = 0;
  for (let i = 0; Date.now() < end; i++) x += fn(i);
  return x;
}
