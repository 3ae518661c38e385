import type { Frame, Profile } from '../../core/profile.js';

/**
 * What kind of work a frame is. Specific categories (database, serialization, logging, …) are looked for along
 * the whole stack, leaf first, so `pg`'s parser under a handler is "database" and a `writeSync` under a logger
 * is "logging"; when none matches, the leaf's generic kind decides (your code, dependency, node core, v8/native).
 */
export interface CategoryRule {
  category: string;
  /** Tested against the frame's file (path or URL). */
  file?: RegExp;
  /** Tested against the function name. */
  name?: RegExp;
  /** Specific rules win anywhere on the stack; generic ones only at the leaf. */
  specific: boolean;
}

const mod = (names: string) => new RegExp(`node_modules/(${names})/`);

export const DEFAULT_CATEGORY_RULES: readonly CategoryRule[] = [
  { category: 'gc', name: /^\(garbage collector\)$/, specific: true },
  {
    category: 'database',
    file: mod('pg|pg-pool|pg-protocol|pg-cursor|postgres|mysql2?|@prisma|prisma|knex|sequelize|typeorm|@mikro-orm/[^/]+|drizzle-orm|mongodb|mongoose|ioredis|redis|@redis/[^/]+|better-sqlite3|sqlite3|@electric-sql/pglite'),
    specific: true,
  },
  {
    category: 'serialization',
    file: mod('protobufjs|@bufbuild/[^/]+|msgpackr|@msgpack/[^/]+|msgpack-lite|fast-json-stringify|superjson|devalue|flatted|safe-stable-stringify|fast-safe-stringify|yaml|js-yaml|xml2js|fast-xml-parser'),
    specific: true,
  },
  { category: 'serialization', name: /^(JSON\.(parse|stringify)|[sS]erialize\w*|[dD]eserialize\w*)$/, specific: true },
  { category: 'logging', file: mod('pino|pino-pretty|winston|bunyan|log4js|debug|loglevel|signale|morgan|sonic-boom'), specific: true },
  { category: 'logging', file: /(^|\/)(node:)?internal\/console\//, specific: true },
  { category: 'logging', name: /^(log|logger|log[A-Z_]\w*|\w+Log(ger)?|\w+_log)$/, specific: true },
  { category: 'regexp', name: /^(RegExp[:\s].*|\/.*\/[dgimsuvy]*)$/, specific: true },
  { category: 'compression/crypto', file: /(^|\/)(node:)?(zlib|crypto|internal\/crypto\/.*|internal\/streams\/.*zlib.*)(\.js)?$/, specific: true },
  { category: 'compression/crypto', file: mod('bcrypt|bcryptjs|argon2|jsonwebtoken|jose|pako|fflate|brotli|snappy|lz4'), specific: true },
  { category: 'framework', file: mod('express|fastify|koa|@koa/[^/]+|hono|@hono/[^/]+|@nestjs/[^/]+|next|restify|@hapi/[^/]+|router|find-my-way|body-parser|undici|ws|socket\\.io'), specific: false },
  { category: 'node core', file: /^(node:|internal\/|events\.js$|fs\.js$|net\.js$|http\.js$|_http_\w+\.js$|stream\.js$|timers\.js$)/, specific: false },
  { category: 'dependency', file: /node_modules\//, specific: false },
  { category: 'your code', file: /./, specific: false },
];

export interface Categoriser {
  /** The specific category a frame belongs to, if any (searched along the stack). */
  specific(f: Frame): string | undefined;
  /** The generic category of a leaf frame. */
  generic(f: Frame): string;
}

/** A categoriser over the given rules (pass user rules first, then the defaults). */
export function categoriser(rules: readonly CategoryRule[] = DEFAULT_CATEGORY_RULES): Categoriser {
  const specific = rules.filter((r) => r.specific);
  const generic = rules.filter((r) => !r.specific);
  const matches = (r: CategoryRule, f: Frame) =>
    (!r.file || (!!f.file && r.file.test(f.file))) && (!r.name || r.name.test(f.name));
  return {
    specific: (f) => {
      if (f.kind === 'gc') return 'gc';
      for (const r of specific) if (matches(r, f)) return r.category;
      return undefined;
    },
    generic: (f) => {
      if (f.kind === 'idle') return 'idle';
      if (f.kind === 'program' || !f.file) return 'v8/native';
      for (const r of generic) if (matches(r, f)) return r.category;
      return 'v8/native';
    },
  };
}

/**
 * Category of every node in O(nodes): the nearest specific category on the path from the node up (leaf first),
 * else the node's own generic category. Idle stays idle whatever is above it.
 */
export function nodeCategories(p: Profile, cat: Categoriser = categoriser()): string[] {
  const nearest: (string | undefined)[] = new Array(p.nodeCount);
  const out: string[] = new Array(p.nodeCount);
  const frameSpecific = p.frames.map((f) => cat.specific(f));
  const frameGeneric = p.frames.map((f) => cat.generic(f));
  for (let n = 0; n < p.nodeCount; n++) {
    const f = p.nodeFrame[n];
    const parent = p.nodeParent[n];
    nearest[n] = frameSpecific[f] ?? (parent >= 0 ? nearest[parent] : undefined);
    out[n] = p.frames[f].kind === 'idle' ? 'idle' : (nearest[n] ?? frameGeneric[f]);
  }
  return out;
}

/** What to do about time in each category: the "Action" column of the method's top-consumers table. */
export const CATEGORY_ACTIONS: Record<string, string> = {
  database: 'Optimize the query: batch it, index it, or cache its result',
  serialization: 'Serialize less: trim the payload, cache the serialized result, or use a faster serializer',
  logging: 'Log asynchronously (buffered stream) and less on the hot path',
  gc: 'Allocate less on the hot path: reuse objects, avoid large temporary copies',
  regexp: 'Simplify or precompile the regular expression; check for backtracking',
  'compression/crypto': 'Move off the request path (async API or worker thread) or cache the result',
  'node core': 'Look for synchronous node core calls on the request path',
  framework: 'Check the framework configuration and middleware on this route',
  dependency: 'Check how the library is used (options, call count) or replace it',
  'your code': 'Algorithm review: hoist work out of loops, cache, use better data structures',
  'v8/native': 'Native/VM time: look at the JavaScript callers that trigger it',
  idle: 'Idle: not a cost',
};

/** The service's own code: a file that is neither a dependency nor Node's or V8's. */
export function isAppFile(file: string | undefined | null): boolean {
  return !!file && !file.includes('node_modules/') && !/^(node:|internal\/|wasm:\/\/|native )/.test(file) && !/^[\w.]+\.js$/.test(file);
}
