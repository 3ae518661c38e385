import { severityForPct, type Finding } from '../../../core/finding.js';
import type { Frame } from '../../../core/profile.js';
import { isAppFile } from '../categories.js';
import { pctOf } from '../tree-stats.js';
import type { ProfileRule } from './types.js';

const SYNC_CALL =
  /^(readFileSync|writeFileSync|appendFileSync|existsSync|statSync|lstatSync|fstatSync|readSync|writeSync|openSync|closeSync|readdirSync|mkdirSync|copyFileSync|renameSync|unlinkSync|rmSync|accessSync|realpathSync|fsyncSync|gzipSync|gunzipSync|deflateSync|inflateSync|deflateRawSync|inflateRawSync|unzipSync|brotliCompressSync|brotliDecompressSync|zlibBufferSync|pbkdf2Sync|scryptSync|randomFillSync|generateKeyPairSync|generateKeySync|hkdfSync|execSync|execFileSync|spawnSync)$/;
/** Node's own modules, where the sync functions live (a user function called readFileSync is not one). */
const NODE_CORE_FILE = /^(node:|internal\/)|^(fs|zlib|crypto|child_process)\.js$/;
/** Module loading reads files synchronously by design: not a request-path problem. */
const MODULE_LOADING = /^(node:)?internal\/modules\/|^(node:)?internal\/bootstrap\//;
const SERVER_FILE =
  /(^|\/)(node:)?_http_server(\.js)?$|^(node:)?internal\/http2\/|node_modules\/(express|fastify|koa|hono|@hapi\/[^/]+|restify|@nestjs\/[^/]+)\//;
const SERVER_NAME = /^(parserOnIncoming|onconnection|emitRequest)$/;

const isSync = (f: Frame) =>
  f.kind === 'code' && SYNC_CALL.test(f.name) && (!f.file || NODE_CORE_FILE.test(f.file));

/**
 * Unexpected finding: synchronous file, compression or crypto calls (readFileSync, gzipSync, pbkdf2Sync …)
 * block the event loop. On a server every one of them stalls every request in flight. Module loading is left
 * out (it reads files synchronously by design); a hottest line that calls a *Sync API counts too, since V8
 * may give the call no frame of its own.
 */
export const syncIo: ProfileRule = {
  id: 'cpu.sync-io',
  run({ profile: p, weights: w, top }) {
    const server = p.frames.some((f) => (f.file && SERVER_FILE.test(f.file)) || SERVER_NAME.test(f.name));
    const sync = p.frames.map(isSync);
    const loading = p.frames.map((f) => !!f.file && MODULE_LOADING.test(f.file));
    const byCall = new Map<string, { weight: number; caller: string }>();
    let total = 0;
    // Per node: inside module loading, or under a sync call already (count the outermost sync call only). Only
    // walked when some frame is a sync call: the two per-node arrays are fresh pages on a big tree.
    const nodes = sync.includes(true) ? p.nodeCount : 0;
    const underLoading = new Uint8Array(nodes);
    const underSync = new Uint8Array(nodes);
    for (let n = 0; n < nodes; n++) {
      const parent = p.nodeParent[n];
      const f = p.nodeFrame[n];
      underLoading[n] = loading[f] || (parent >= 0 && underLoading[parent]) ? 1 : 0;
      const above = parent >= 0 && underSync[parent] === 1;
      underSync[n] = sync[f] || above ? 1 : 0;
      if (!sync[f] || above || underLoading[n]) continue;
      total += w.nodeTotal[n];
      let caller = '';
      for (let a = parent; a >= 0; a = p.nodeParent[a]) {
        const cf = p.frames[p.nodeFrame[a]];
        if (cf.kind === 'code' && isAppFile(cf.file)) {
          caller = `${cf.name} (${cf.file!.split('/').slice(-2).join('/')}${cf.line ? `:${cf.line}` : ''})`;
          break;
        }
      }
      const key = `${p.frames[f].name}\u0000${caller}`;
      const e = byCall.get(key) ?? { weight: 0, caller };
      e.weight += w.nodeTotal[n];
      byCall.set(key, e);
    }
    // Calls with no frame of their own: the hottest line of a function is a *Sync call.
    for (const t of top) {
      const b = t.hotLine?.builtin;
      if (!b || !/Sync$/.test(b) || !t.hotLine) continue;
      const x = (t.self * t.hotLine.pct) / 100;
      total += x;
      byCall.set(`${b}\u0000${t.name}`, { weight: x, caller: `${t.name} line ${t.hotLine.line}` });
    }
    const share = pctOf(total, w.active);
    if (share < (server ? 1 : 5)) return [];
    const calls = [...byCall.entries()]
      .sort((a, b) => b[1].weight - a[1].weight)
      .slice(0, 5)
      .map(([k, v]) => ({
        call: k.split('\u0000')[0],
        caller: v.caller || null,
        pct: pctOf(v.weight, w.active),
      }));
    const finding: Finding = {
      rule: 'cpu.sync-io',
      area: 'cpu',
      severity: severityForPct(server ? share * 2 : share),
      title: `Synchronous I/O blocks the ${server ? 'server’s ' : ''}event loop for ${share}% of CPU time (${calls[0].call})`,
      evidence: { pct: share, server, calls },
      recommendation:
        `Use the asynchronous API (fs.promises, zlib/crypto with callbacks or promises) or move the work to a worker thread, or do it once at startup. ` +
        `Calls: ${calls.map((c) => `${c.call}${c.caller ? ` from ${c.caller}` : ''} ${c.pct}%`).join(', ')}.`,
      estimatedImpact: {
        pct: share,
        basis:
          'share of non-idle CPU inside synchronous I/O, compression or crypto calls off module loading: the event loop gets it back',
      },
    };
    return [finding];
  },
};
