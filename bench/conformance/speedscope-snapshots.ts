import type { Comparison } from './perf-collapsed.js';
export async function speedscopeConformance(_corpus: string): Promise<Comparison[]> {
  return [];
}
