import type { ExecutorFactory } from './types.js';

/** k6's default for how long iterations in flight may finish after a scenario's end. */
export const GRACEFUL_STOP_DEFAULT_MS = 30_000;
/** Config keys every executor accepts. */
export const COMMON_FIELDS = ['executor', 'startTime', 'gracefulStop', 'exec', 'tags', 'env', 'options'] as const;

const factories = new Map<string, ExecutorFactory>();

export function registerExecutor<C>(factory: ExecutorFactory<C>): void {
  factories.set(factory.name, factory as unknown as ExecutorFactory);
}

export function executorFactory(name: string): ExecutorFactory | undefined {
  return factories.get(name);
}

export function executorNames(): string[] {
  return [...factories.keys()];
}
