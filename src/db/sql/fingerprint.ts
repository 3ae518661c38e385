/**
 * A statement's shape: what groups `WHERE id = 1` with `WHERE id = 2`. The real PostgreSQL parser
 * (libpg-query) gives the fingerprint and the `$n` normal form; SQL it rejects (another dialect, `?`
 * placeholders, a truncated capture) falls back to a light lexer so nothing is dropped.
 */
import { pgFingerprint, pgNormalize, tryParseSql } from './parser.js';

export interface QueryShape {
  /** 16 hex digits; equal for statements that differ only in constants, whitespace, comments, IN-list length. */
  fingerprint: string;
  /** The statement with constants as `$n`, comments removed, whitespace collapsed (pg_stat_statements style). */
  query: string;
  /** Whether the PostgreSQL parser understood it (false: the light-lexer fallback was used). */
  parsed: boolean;
}

const cache = new Map<string, QueryShape>();
const CACHE_LIMIT = 10_000;

export function queryShape(sql: string): QueryShape {
  const hit = cache.get(sql);
  if (hit) return hit;
  const shape = computeShape(sql);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(sql, shape);
  return shape;
}

function computeShape(sql: string): QueryShape {
  const fp = pgFingerprint(sql);
  const normal = fp === null ? null : pgNormalize(sql);
  if (fp !== null && normal !== null) {
    return { fingerprint: distinguishArrayComparisons(sql, fp), query: tidy(normal), parsed: true };
  }
  const query = lexNormalise(sql);
  return { fingerprint: fnv1a64(query), query, parsed: false };
}

/**
 * libpg-query gives `col = $1` and `col = ANY($1)` one fingerprint. For perfloop they are the N+1 and its
 * fix, which must stay apart in before/after tables, so an array comparison changes the fingerprint.
 */
function distinguishArrayComparisons(sql: string, fp: string): string {
  if (!/\b(any|all|some)\s*\(/i.test(sql)) return fp;
  const r = tryParseSql(sql);
  if (!r.ok) return fp;
  const tree = JSON.stringify(r.statements.map((s) => s.node));
  const n = (tree.match(/"AEXPR_OP_(ANY|ALL)"/g) ?? []).length;
  return n > 0 ? fnv1a64(`${fp}:array-comparison:${n}`) : fp;
}

/** Normal form for display: comments out, whitespace collapsed, long `$n` lists squashed. */
function tidy(normal: string): string {
  return normal
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*(\$\d+)(?:\s*,\s*\$\d+){2,}\s*\)/g, '($1 /*, … */)')
    .trim();
}

/**
 * The fallback for SQL the parser rejects: literals and placeholders become `?`, IN-lists collapse,
 * whitespace and keyword case normalise.
 */
export function lexNormalise(sql: string): string {
  return sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(...)')
    .replace(
      /\b(select|from|where|and|or|in|any|order by|group by|limit|offset|insert into|values|update|set|delete|join|left|inner|on|as|returning|desc|asc)\b/gi,
      (k) => k.toUpperCase(),
    )
    .trim();
}

/** 64-bit FNV-1a as 16 hex digits (BigInt: exact, and fast enough for distinct statement texts). */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}
