import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerfloopError } from '../core/errors.js';
import { contentSecurityPolicy, esc, pageAssets, renderPage, type PageSpec } from '../report/html/layout.js';
import { serverLinks, type PageLinks } from '../report/html/links.js';
import { runsPage } from '../report/html/runs-page.js';
import { verifiedArtifact } from '../store/artifacts.js';
import { artifactPolicy, sendArtifact } from './artifact-response.js';
import { UiData } from './data.js';
import { livePage } from './live-page.js';
import { LiveHub, parseLiveMessage } from './live.js';

export interface UiServerOptions {
  storePath: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Runs listed per page on the Runs page. */
  pageSize?: number;
}

export interface UiServer {
  url: string;
  hub: LiveHub;
  close(): Promise<void>;
}

const MODE = { kind: 'linked', base: '/assets/' } as const;
const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const ASSET_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const MAX_LIVE_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Pages beyond the Runs page load their modules on first use: statistics, profile importers and Markdown
// would otherwise add ~0.5 s to the start, and the start must stay under a second on a 10,000-run store.
const lazy = {
  runPage: async () => (await import('../report/html/run-page.js')).runPage,
  scenarioPage: async () => (await import('../report/html/scenario-page.js')).scenarioPage,
  comparePage: async () => (await import('../report/html/compare-page.js')).comparePage,
  comparisonDocument: async () => (await import('../gate/compare/compare-runs.js')).comparisonDocument,
  flameDiffHtml: async () => (await import('../gate/flame-diff.js')).flameDiffHtml,
};

/**
 * `perfloop ui`: the dashboard over a run store, on Node's http (a handful of routes needs no framework).
 * Read-only over the store; the one write is POST /api/live, which only feeds the in-memory Live page.
 */
export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const data = await UiData.open(o.storePath);
  const hub = new LiveHub();
  const assets = pageAssets();
  const flameDiffs = new Map<string, string>();
  const pageSize = o.pageSize ?? 50;

  const linksFor = async (runIds: readonly string[]): Promise<PageLinks> => {
    const names = new Map<string, string[]>();
    for (const id of runIds) names.set(id, Object.keys(await data.artifacts(id)));
    return serverLinks((id) => names.get(id) ?? []);
  };
  const sendPage = (res: ServerResponse, spec: PageSpec, status = 200) => {
    res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy(MODE) });
    res.end(renderPage(spec, MODE));
  };
  const sendJson = (res: ServerResponse, value: unknown, status = 200) => {
    res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-security-policy': "default-src 'none'" });
    res.end(`${JSON.stringify(value, null, 2)}\n`);
  };
  const mustRun = async (id: string) => {
    const r = await data.run(id);
    if (!r) throw new HttpError(404, `no stored run ${id}`);
    return r;
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(`http://localhost${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? ''}`);
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'malformed URL');
    }
    const q = (k: string) => url.searchParams.get(k) || undefined;
    const [a, b, c, d] = parts;
    if (req.method === 'POST' && a === 'api' && b === 'live' && parts.length === 2) return acceptLive(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'read-only: only GET');

    if (parts.length === 0) {
      const filter = { label: q('label'), branch: q('branch'), from: q('from'), to: q('to') };
      const offset = Math.max(0, Number.parseInt(q('offset') ?? '0', 10) || 0);
      const page = await data.page({ ...filter, offset, limit: pageSize });
      const scenarios = [];
      for (const s of await data.scenarios(filter))
        scenarios.push({ ...s, recent: (await data.page({ ...filter, scenarioId: s.id, limit: 30, count: false })).runs });
      const pageHref = (off: number) => {
        const p = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => !!e[1]));
        p.set('offset', String(off));
        return `/?${p}`;
      };
      return sendPage(res, runsPage({ filter, scenarios, page: { runs: page.runs, total: page.total ?? page.runs.length, offset, limit: pageSize }, pageHref }, serverLinks()));
    }
    if (a === 'assets' && parts.length === 2 && Object.hasOwn(assets, b)) {
      res.writeHead(200, { ...COMMON_HEADERS, 'cache-control': 'max-age=3600', 'content-type': ASSET_TYPES[b.split('.').pop()!] });
      return void res.end(assets[b]);
    }
    if (a === 'api' && b === 'runs' && parts.length === 2) {
      const limit = Math.max(1, Number.parseInt(q('limit') ?? '20', 10) || 20);
      return sendJson(res, await data.runsDocument(limit));
    }
    if (a === 'api' && b === 'runs' && parts.length === 3) return sendJson(res, await mustRun(c));
    if (a === 'api' && b === 'live' && parts.length === 2) return sendJson(res, hub.view());
    if (a === 'live' && parts.length === 1) return sendPage(res, livePage(hub));
    if (a === 'scenarios' && parts.length === 2) {
      const id = b === '-' ? '' : b;
      const runs = await data.records({ scenarioId: id, limit: 100 });
      if (runs.length === 0) throw new HttpError(404, `no runs of scenario ${b}`);
      const s = runs.at(-1)!.run.scenario;
      return sendPage(res, (await lazy.scenarioPage())({ id, description: s.name ?? s.description }, runs, serverLinks()));
    }
    if (a === 'runs' && parts.length === 2) {
      const r = await mustRun(b);
      return sendPage(res, (await lazy.runPage())(r, await linksFor([r.run.id])));
    }
    if (a === 'runs' && c === 'artifacts' && parts.length === 4) {
      const r = await mustRun(b);
      // By recorded name only: the path comes from the store, never from the URL, so nothing outside a run's
      // recorded artifacts can be reached.
      const recorded = await data.artifacts(r.run.id);
      const entry = Object.hasOwn(recorded, d) ? recorded[d] : undefined;
      if (!entry) throw new HttpError(404, `run ${r.run.id} has no artifact ${d}`);
      let path: string;
      try {
        path = verifiedArtifact(r.run.id, d, entry);
      } catch (e) {
        throw new HttpError(410, (e as Error).message);
      }
      return sendArtifact(res, d, path, COMMON_HEADERS);
    }
    if (a === 'compare' && (parts.length === 3 || (parts.length === 4 && d === 'flame-diff.html'))) {
      const before = await mustRun(b);
      const after = await mustRun(c);
      if (parts.length === 4) return sendFlameDiff(res, before.run.id, after.run.id);
      const doc = (await lazy.comparisonDocument())({ runs: [before], source: `run ${before.run.id}` }, { runs: [after], source: `run ${after.run.id}` });
      return sendPage(res, (await lazy.comparePage())(before, after, doc, await linksFor([before.run.id, after.run.id])));
    }
    throw new HttpError(404, `no page ${url.pathname}`);
  }

  async function sendFlameDiff(res: ServerResponse, beforeId: string, afterId: string): Promise<void> {
    const key = `${beforeId}\u0000${afterId}`;
    let html = flameDiffs.get(key);
    if (!html) {
      const profile = async (id: string) => {
        const entry = (await data.artifacts(id)).profile;
        if (!entry) throw new HttpError(404, `run ${id} has no CPU profile`);
        try {
          return verifiedArtifact(id, 'profile', entry);
        } catch (e) {
          throw new HttpError(410, (e as Error).message);
        }
      };
      html = (await (await lazy.flameDiffHtml())(await profile(beforeId), await profile(afterId), `${beforeId} → ${afterId}`)).html;
      flameDiffs.set(key, html);
      if (flameDiffs.size > 8) flameDiffs.delete(flameDiffs.keys().next().value!);
    }
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': artifactPolicy(html) });
    res.end(html);
  }

  async function acceptLive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_LIVE_BODY) throw new HttpError(413, 'live message too large');
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpError(400, 'body: not JSON');
    }
    const parsed = parseLiveMessage(body);
    if (!parsed.ok) return sendJson(res, { errors: parsed.errors }, 400);
    hub.accept(parsed.message);
    return sendJson(res, { ok: true });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError || e instanceof PerfloopError ? e.message : `internal error: ${(e as Error).message}`;
      if (res.headersSent) return void res.destroy();
      if ((req.url ?? '').startsWith('/api/')) return sendJson(res, { error: message }, status);
      sendPage(res, { title: String(status), body: `<h1>${status === 404 ? 'Not found' : `Error ${status}`}</h1><p>${esc(message)}</p><p><a href="/">all runs</a></p>` }, status);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new PerfloopError('UI_LISTEN', `cannot listen on ${o.host ?? '127.0.0.1'}:${o.port ?? 0}: ${e.code ?? e.message}`, { exitCode: e.code === 'EADDRINUSE' || e.code === 'EACCES' ? 2 : 1 })),
    );
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    hub,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await data.close();
    },
  };
}
