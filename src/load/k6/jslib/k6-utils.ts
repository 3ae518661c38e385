/** jslib.k6.io/k6-utils: the helpers k6 scripts use most, written for perfloop (no network needed). */
import { randomUUID } from 'node:crypto';

export function randomIntBetween(min: number, max: number): number {
  return Math.floor(Math.random() * (max - min + 1) + min);
}

export function randomItem<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

export function randomString(length: number, charset = 'abcdefghijklmnopqrstuvwxyz'): string {
  let s = '';
  for (let i = 0; i < length; i++) s += charset[Math.floor(Math.random() * charset.length)];
  return s;
}

export function uuidv4(secure = false): string {
  void secure;
  return randomUUID();
}

/** The text between `left` and `right` (the first, or every one with `repeat`). */
export function findBetween(content: string, left: string, right: string, repeat = false): string | string[] | null {
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const a = content.indexOf(left, from);
    if (a < 0) break;
    const b = content.indexOf(right, a + left.length);
    if (b < 0) break;
    found.push(content.slice(a + left.length, b));
    if (!repeat) break;
    from = b + right.length;
  }
  return repeat ? found : (found[0] ?? null);
}

/** Stages approximating a normal distribution of VUs around the middle of `duration` seconds. */
export function normalDistributionStages(maxVUs: number, durationSeconds: number, numberOfStages = 10) {
  const mean = 0;
  const sd = 1;
  const step = durationSeconds / (numberOfStages + 2);
  const stages = [{ duration: `${Math.ceil(step)}s`, target: Math.ceil(maxVUs * 0.01) }];
  for (let i = 1; i <= numberOfStages; i++) {
    const x = -3 + (6 * i) / (numberOfStages + 1);
    const density = Math.exp(-((x - mean) ** 2) / (2 * sd * sd));
    stages.push({ duration: `${Math.ceil(step)}s`, target: Math.ceil(maxVUs * density) });
  }
  stages.push({ duration: `${Math.ceil(step)}s`, target: 0 });
  return stages;
}

export default { randomIntBetween, randomItem, randomString, uuidv4, findBetween, normalDistributionStages };
