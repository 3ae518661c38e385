/**
 * Request paths may vary per request: `{{seq}}` is an increasing integer (per generator), `{{rand:N}}` a uniform
 * integer in 0..N-1 from a seeded generator, so a run is repeatable.
 */
const PLACEHOLDER = /\{\{\s*(seq|rand:(\d+))\s*\}\}/g;

export function hasPlaceholders(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(text);
}

/**
 * The pathname of a request URL as its endpoint is named: normalised as `new URL()` does, but with placeholders kept
 * as written (`/posts/{{rand:300}}`, not `/posts/%7B%7Brand:300%7D%7D`), so the name says what the user typed.
 */
export function templatePathname(url: string): string {
  return new URL(url).pathname.replace(/%7B%7B(.*?)%7D%7D/gi, (_m, inner: string) => `{{${decodeURIComponent(inner)}}}`);
}

/** Mulberry32: tiny, fast, good enough to spread load; seeded for repeatable runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class TemplateFiller {
  private seq = 0;
  constructor(private readonly random: () => number) {}

  fill(text: string): string {
    return text.replace(PLACEHOLDER, (_m, kind: string, n: string | undefined) =>
      kind === 'seq' ? String(this.seq++) : String(Math.floor(this.random() * Number(n))),
    );
  }
}
