import { readFileSync, statSync } from 'node:fs';
import type { Profile } from '../../core/profile.js';

/**
 * V8 gives builtins such as JSON.stringify no frame of their own: their time is the caller's self time. The
 * profile's line-level ticks (positionTicks) say which line of the caller it was; the source line says what
 * that line calls.
 */
export interface HotLine {
  line: number;
  /** Share (0–100) of the function's self ticks on this line. */
  pct: number;
  /** The source text of the line, when the file is readable. */
  text?: string;
  /** A well-known costly builtin called on the line, e.g. `JSON.stringify`. */
  builtin?: string;
  /** Category implied by the builtin. */
  category?: string;
}

const BUILTINS: { re: RegExp; builtin: string; category: string }[] = [
  { re: /JSON\.stringify\s*\(/, builtin: 'JSON.stringify', category: 'serialization' },
  { re: /JSON\.parse\s*\(/, builtin: 'JSON.parse', category: 'serialization' },
  {
    re: /\b(appendFileSync|writeFileSync|writeSync|readFileSync|readSync|existsSync|statSync|readdirSync)\s*\(/,
    builtin: 'fs.$1',
    category: 'sync-io',
  },
  {
    re: /\b(gzipSync|gunzipSync|deflateSync|inflateSync|brotliCompressSync|brotliDecompressSync)\s*\(/,
    builtin: 'zlib.$1',
    category: 'compression/crypto',
  },
  {
    re: /\b(pbkdf2Sync|scryptSync|randomFillSync|generateKeyPairSync|hashSync)\s*\(/,
    builtin: 'crypto.$1',
    category: 'compression/crypto',
  },
  {
    re: /(new RegExp\s*\(|\.(match|matchAll|replace|replaceAll|test|exec|split)\s*\(\s*\/)/,
    builtin: 'RegExp',
    category: 'regexp',
  },
];

const sourceCache = new Map<string, string[] | null>();

function sourceLines(file: string): string[] | null {
  if (sourceCache.has(file)) return sourceCache.get(file)!;
  let lines: string[] | null = null;
  try {
    if (statSync(file).size < 5_000_000) lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    lines = null;
  }
  sourceCache.set(file, lines);
  return lines;
}

export function builtinOnLine(text: string): { builtin: string; category: string } | undefined {
  for (const b of BUILTINS) {
    const m = b.re.exec(text);
    if (m) return { builtin: b.builtin.replace('$1', m[1] ?? ''), category: b.category };
  }
  return undefined;
}

/** Hottest line of a frame's self time, from every node of that frame. */
export function hotLineOf(p: Profile, frame: number): HotLine | undefined {
  const byLine = new Map<number, number>();
  let sum = 0;
  for (const [node, lines] of p.lineWeights) {
    if (p.nodeFrame[node] !== frame) continue;
    for (const [line, w] of lines) {
      byLine.set(line, (byLine.get(line) ?? 0) + w);
      sum += w;
    }
  }
  if (sum === 0) return undefined;
  const [line, w] = [...byLine.entries()].sort((a, b) => b[1] - a[1])[0];
  const hot: HotLine = { line, pct: Math.round((1000 * w) / sum) / 10 };
  const file = p.frames[frame].file;
  const text = file ? sourceLines(file)?.[line - 1]?.trim() : undefined;
  if (text) {
    hot.text = text.length > 160 ? `${text.slice(0, 157)}...` : text;
    const b = builtinOnLine(text);
    if (b) Object.assign(hot, b);
  }
  return hot;
}
