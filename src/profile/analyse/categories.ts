import type { Frame, Profile } from '../../core/profile.js';
import {
  frameRuntime,
  RUNTIME_ACTIONS,
  RUNTIME_CATEGORY_ACTIONS,
  RUNTIME_CATEGORY_RULES,
} from './runtime-categories.js';

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
  /** What to do about time in this category (user categories; the defaults are in CATEGORY_ACTIONS). */
  action?: string;
}

const mod = (names: string) => new RegExp(`node_modules/(${names})/`);
/** Standard libraries and runtimes other than Node's: Go's GOROOT, CPython's lib, the JDK (`jrt:/` from JFR). */
const STDLIB =
  /(^|\/)(go(-[\d.]+)?\/src\/|lib\/python\d(\.\d+)?\/(?!(site|dist)-packages\/)|jdk[^/]*\/|<frozen )|^\$GOROOT\/|^jrt:\//;
/** Third-party code: npm, Go modules, Python packages, Rust crates. */
/** Runtimes' binaries, system libraries, JIT maps: native code the user did not write. */
const NATIVE =
  /(^|\/)(node|nodejs|python3?(\.\d+)?|java|ruby)$|^\/(usr\/)?(local\/)?lib(32|64)?\/.*\.so(\.[\d.]+)?$|^\/tmp\/perf-\d+\.map$/;
const DEPENDENCY = /node_modules\/|\/pkg\/mod\/|\/(site|dist)-packages\/|\/\.cargo\/registry\//;

export const DEFAULT_CATEGORY_RULES: readonly CategoryRule[] = [
  ...RUNTIME_CATEGORY_RULES.filter((r) => r.specific),
  { category: 'gc', name: /^\(garbage collector\)$/, specific: true },
  // Native GC work seen by perf in node, and Go's runtime GC (pprof, perf).
  {
    category: 'gc',
    name: /^(v8::internal::(Heap|Scavenger\w*|MarkCompactCollector|MinorMarkCompactCollector|ConcurrentMarking|IncrementalMarking|MarkingVisitor\w*)::|runtime\.(gcBgMarkWorker|gcDrain\w*|gcAssistAlloc\w*|markroot\w*|scanobject|scanblock|greyobject|bgsweep|sweepone|bgscavenge|gcStart))/,
    specific: true,
  },
  {
    category: 'database',
    file: mod(
      'pg|pg-pool|pg-protocol|pg-cursor|postgres|mysql2?|@prisma|prisma|knex|sequelize|typeorm|@mikro-orm/[^/]+|drizzle-orm|mongodb|mongoose|ioredis|redis|@redis/[^/]+|better-sqlite3|sqlite3|@electric-sql/pglite',
    ),
    specific: true,
  },
  {
    category: 'database',
    name: /^(database\/sql\.|github\.com\/(lib\/pq|jackc\/(pgx|pgconn)|go-sql-driver\/mysql|mattn\/go-sqlite3|jmoiron\/sqlx|redis\/go-redis|go-redis\/redis)|gorm\.io\/|go\.mongodb\.org\/mongo-driver)/,
    specific: true,
  },
  {
    category: 'database',
    file: /\/(site|dist)-packages\/(psycopg2?|psycopg|psycopg_binary|sqlalchemy|asyncpg|pymysql|MySQLdb|django\/db|pymongo|redis|peewee\.py|tortoise)[/.]|\/lib\/python\d(\.\d+)?\/sqlite3\/|(^|\/)_sqlite3[\w.-]*\.so$/,
    specific: true,
  },
  // JVM database access as JFR and async-profiler name it (`java.sql.DriverManager.getConnection`,
  // `org/postgresql/jdbc/PgStatement.executeQuery`): JDBC, its drivers, pools and the ORMs above them.
  {
    category: 'database',
    name: /^(java|javax|jakarta)[./](sql|persistence)[./]|^(org[./](postgresql|mariadb|h2|sqlite|hibernate|jooq|mybatis|springframework[./](jdbc|orm|data[./]jpa))|com[./](mysql|zaxxer[./]hikari|mchange[./]v2[./]c3p0|mongodb)|oracle[./]jdbc|redis[./]clients[./]jedis|io[./]lettuce)[./]/,
    specific: true,
  },
  {
    category: 'serialization',
    file: mod(
      'protobufjs|@bufbuild/[^/]+|msgpackr|@msgpack/[^/]+|msgpack-lite|fast-json-stringify|superjson|devalue|flatted|safe-stable-stringify|fast-safe-stringify|yaml|js-yaml|xml2js|fast-xml-parser',
    ),
    specific: true,
  },
  {
    category: 'serialization',
    name: /^(JSON\.(parse|stringify)|[sS]erialize\w*|[dD]eserialize\w*)$/,
    specific: true,
  },
  {
    category: 'serialization',
    name: /^(v8::internal::(JsonStringifier|JsonParser\w*)::|v8::internal::Builtin_Json|Builtins_Json|encoding\/(json|xml|gob)\.|google\.golang\.org\/protobuf\/|json\.(dumps|loads)$|com[./]fasterxml[./]jackson)/,
    specific: true,
  },
  {
    category: 'serialization',
    file: /\/(json\/(__init__|encoder|decoder)\.py|pickle\.py|encoding\/(json|xml)\/[^/]+\.go)$|(^|\/)_(json|pickle)[\w.-]*\.so$|\/(site|dist)-packages\/(orjson|ujson|simplejson|msgpack|pydantic_core|marshmallow)[/.]/,
    specific: true,
  },
  // JVM serializers (Jackson is in the name rule above) and Go's other JSON libraries.
  {
    category: 'serialization',
    name: /^(com[./]google[./](gson|protobuf)|org[./]json|com[./]alibaba[./]fastjson2?|(jakarta|javax)[./]json|github\.com\/(json-iterator\/go|goccy\/go-json|bytedance\/sonic|vmihailenco\/msgpack))[./]|^java[./]io[./]Object(Output|Input)Stream[./]/,
    specific: true,
  },
  {
    category: 'logging',
    file: mod('pino|pino-pretty|winston|bunyan|log4js|debug|loglevel|signale|morgan|sonic-boom'),
    specific: true,
  },
  { category: 'logging', file: /(^|\/)(node:)?internal\/console\//, specific: true },
  { category: 'logging', name: /^(log|logger|log[A-Z_]\w*|\w+Log(ger)?|\w+_log)$/, specific: true },
  {
    category: 'logging',
    name: /^(log\.(\(\*Logger\)\.)?\w+|log\/slog\.|go\.uber\.org\/zap|github\.com\/sirupsen\/logrus|github\.com\/rs\/zerolog)/,
    specific: true,
  },
  // JVM logging: logback, log4j (1 and 2), slf4j, java.util.logging, JBoss logging, tinylog.
  {
    category: 'logging',
    name: /^(ch[./]qos[./]logback|org[./]apache[./](logging[./]log4j|log4j)|org[./]slf4j|java[./]util[./]logging|org[./]jboss[./]logging|org[./]tinylog)[./]/,
    specific: true,
  },
  {
    category: 'logging',
    file: /\/logging\/(__init__|handlers)\.py$|\/(site|dist)-packages\/(loguru|structlog)\//,
    specific: true,
  },
  { category: 'regexp', name: /^(RegExp[:\s].*|\/.*\/[dgimsuvy]*)$/, specific: true },
  {
    category: 'regexp',
    name: /^(regexp\.|regexp\/syntax\.|v8::internal::(RegExp\w*|Builtin_RegExp\w*)|Builtins_RegExp|java[./]util[./]regex)/,
    specific: true,
  },
  {
    category: 'regexp',
    file: /\/(re|sre_compile|sre_parse|_parser|_compiler)\.py$/,
    name: /^(match|search|sub|findall|finditer|compile|_compile|fullmatch|split)$/,
    specific: true,
  },
  {
    category: 'compression/crypto',
    file: /(^|\/)(node:)?(zlib|crypto|internal\/crypto\/.*|internal\/streams\/.*zlib.*)(\.js)?$/,
    specific: true,
  },
  {
    category: 'compression/crypto',
    file: mod('bcrypt|bcryptjs|argon2|jsonwebtoken|jose|pako|fflate|brotli|snappy|lz4'),
    specific: true,
  },
  {
    category: 'compression/crypto',
    name: /^(compress\/|crypto\/|golang\.org\/x\/crypto\/|node::crypto::|node::(zlib|ZlibContext)|deflate_|inflate_|BrotliEncoder|EVP_)/,
    specific: true,
  },
  {
    category: 'compression/crypto',
    file: /(^|\/)lib(z|crypto|ssl|brotli\w*|zstd)\.so(\.[\d.]+)?$/,
    specific: true,
  },
  {
    category: 'framework',
    file: mod(
      'express|fastify|koa|@koa/[^/]+|hono|@hono/[^/]+|@nestjs/[^/]+|next|restify|@hapi/[^/]+|router|find-my-way|body-parser|undici|ws|socket\\.io',
    ),
    specific: false,
  },
  {
    category: 'node core',
    file: /^(node:|internal\/|events\.js$|fs\.js$|net\.js$|http\.js$|_http_\w+\.js$|stream\.js$|timers\.js$)/,
    specific: false,
  },
  ...RUNTIME_CATEGORY_RULES.filter((r) => !r.specific),
  { category: 'runtime/stdlib', file: STDLIB, specific: false },
  { category: 'v8/native', file: NATIVE, specific: false },
  { category: 'dependency', file: DEPENDENCY, specific: false },
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
      if (f.kind === 'program') return 'v8/native';
      if (!f.file) {
        // No file (pprof without lines, folded text): the name alone can still tell a runtime's frame.
        for (const r of generic) if (r.name && !r.file && r.name.test(f.name)) return r.category;
        return 'v8/native';
      }
      for (const r of generic) if (matches(r, f)) return r.category;
      return 'v8/native';
    },
  };
}

/**
 * The category of every node, as a small id per node (`names[ids[n]]`): a 1.5-million-node tree would
 * otherwise be an array of 1.5 million string pointers, built and scanned by every consumer (measured on the
 * deep-stack benchmark: ~75 ms to build; per-category sums over ids need no Map lookups either).
 */
export class NodeCategories {
  constructor(
    readonly ids: Uint16Array,
    readonly names: readonly string[],
  ) {}

  /** The category of node `n`. */
  of(n: number): string {
    return this.names[this.ids[n]];
  }

  /** The id of `category`, -1 when no node has it. */
  idOf(category: string): number {
    return this.names.indexOf(category);
  }
}

/**
 * Category of every node in O(nodes): the nearest specific category on the path from the node up (leaf first),
 * else the node's own generic category. Idle stays idle whatever is above it.
 */
export function nodeCategories(p: Profile, cat: Categoriser = categoriser()): NodeCategories {
  const names: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (c: string) => {
    let id = ids.get(c);
    if (id === undefined) ids.set(c, (id = names.push(c) - 1));
    return id;
  };
  // Per frame: its specific category's id (-1: none) and the id a node of it gets without one above.
  const frameSpecific = Int32Array.from(p.frames, (f) => {
    const c = cat.specific(f);
    return c === undefined ? -1 : idOf(c);
  });
  const frameOwn = Int32Array.from(p.frames, (f) => idOf(f.kind === 'idle' ? 'idle' : cat.generic(f)));
  const idle = Uint8Array.from(p.frames, (f) => (f.kind === 'idle' ? 1 : 0));
  const nodes = p.nodeCount;
  const nodeFrame = p.nodeFrame;
  const nodeParent = p.nodeParent;
  const out = new Uint16Array(nodes);
  if (frameSpecific.every((c) => c < 0)) {
    // No frame has a specific category (a folded file of bare names): each node is its own frame's.
    for (let n = 0; n < nodes; n++) out[n] = frameOwn[nodeFrame[n]];
    return new NodeCategories(out, names);
  }
  // Per node, the id of the nearest specific category on its path (-1: none).
  const nearest = new Int32Array(nodes);
  for (let n = 0; n < nodes; n++) {
    const f = nodeFrame[n];
    const parent = nodeParent[n];
    const near = frameSpecific[f] >= 0 ? frameSpecific[f] : parent >= 0 ? nearest[parent] : -1;
    nearest[n] = near;
    out[n] = idle[f] || near < 0 ? frameOwn[f] : near;
  }
  return new NodeCategories(out, names);
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
  'sync-io':
    'Use the asynchronous API (fs.promises, zlib/crypto callbacks) or move the work off the request path',
  kernel: 'Kernel time: look for system calls on the hot path (small reads/writes, polling, page faults)',
  'runtime/stdlib': 'Standard library or runtime time: look at the callers that use it most',
  idle: 'Idle: not a cost',
  ...RUNTIME_CATEGORY_ACTIONS,
};

/** The service's own code: a file that is neither a dependency nor Node's or V8's. */
export function isAppFile(file: string | undefined | null): boolean {
  return (
    !!file &&
    !DEPENDENCY.test(file) &&
    !STDLIB.test(file) &&
    !/^(node:|internal\/|wasm:\/\/|native |\[)/.test(file) &&
    !/^[\w.]+\.js$/.test(file) &&
    !NATIVE.test(file)
  );
}

/**
 * The action for a category: a user rule's own, else the technique for the frame's runtime (JDBC batching for a
 * Java database frame, database/sql pooling for Go's), else the default one.
 */
export function actionFor(
  category: string,
  rules: readonly CategoryRule[] = [],
  frame?: Pick<Frame, 'name' | 'file'>,
): string {
  const runtime = frame ? frameRuntime(frame) : null;
  return (
    rules.find((r) => r.category === category && r.action)?.action ??
    (runtime ? RUNTIME_ACTIONS[runtime][category] : undefined) ??
    CATEGORY_ACTIONS[category] ??
    CATEGORY_ACTIONS['your code']
  );
}
