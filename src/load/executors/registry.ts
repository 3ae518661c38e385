import type { ExecutorFactory } from './types.js';

const factories = new Map<string, ExecutorFactory>();

export function registerExecutor(factory: ExecutorFactory<never>): void {
  factories.set(factory.name, factory as ExecutorFactory);
}

export function executorFactory(name: string): ExecutorFactory | undefined {
  return factories.get(name);
}

export function executorNames(): string[] {
  return [...factories.keys()];
}
