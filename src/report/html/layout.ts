import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml, jsonForScript } from '../../profile/render/escape.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import type { ChartSpec } from './chart-spec.js';

/**
 * The shell every dashboard page shares (`perfloop ui`, the static export, report.html): one stylesheet, the
 * bundled uPlot, one page script, and the page's data as a JSON block. Nothing from a run is ever written into a
 * script: names, URLs and SQL reach the page as escaped text or as JSON that the script puts in with
 * textContent. The Content-Security-Policy allows only the bundled scripts (by URL, or by hash when inlined), so
 * an injected `<script>` or `onerror=` does not run even if escaping were ever missed.
 */
export type AssetMode =
  /** Scripts loaded from `base` (`/assets/` on the server, `assets/` in an export). */
  | { kind: 'linked'; base: string }
  /** One self-contained file (report.html in a run folder): scripts inlined, allowed by their hashes. */
  | { kind: 'inline' };

export interface PageData {
  charts: ChartSpec[];
  /** The live page polls this URL each second. */
  live?: { url: string };
}

export interface PageSpec {
  title: string;
  /** Already-escaped HTML. */
  body: string;
  data?: PageData;
  /** Already-escaped HTML for the navigation bar; default: Runs and Live. */
  nav?: string;
}

const require = createRequire(import.meta.url);
let uplotCache: { js: string; css: string } | undefined;

/** uPlot as installed with perfloop (a dependency, so it is on disk: no CDN, no network at view time). */
export function uplotAssets(): { js: string; css: string } {
  uplotCache ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotCache;
}

/** The files a linked page loads from its asset base: name → content. */
export function pageAssets(): Record<string, string> {
  const u = uplotAssets();
  return { 'uplot.js': u.js, 'uplot.css': u.css, 'page.js': PAGE_SCRIPT, 'page.css': PAGE_STYLE };
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The policy of a page: scripts only from `self` (linked) or only the bundled ones by hash (inline). */
export function contentSecurityPolicy(mode: AssetMode): string {
  const scripts = mode.kind === 'inline' ? [uplotAssets().js, PAGE_SCRIPT].map(sha256).join(' ') : "'self'";
  return [
    "default-src 'none'",
    `script-src ${scripts}`,
    // uPlot positions its legend and cursor with style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export const DEFAULT_NAV = (root = '/') =>
  `<a href="${escapeHtml(root)}">Runs</a><a href="${escapeHtml(root)}live">Live</a>`;

export function renderPage(spec: PageSpec, mode: AssetMode): string {
  const head =
    mode.kind === 'inline'
      ? `<style>${uplotAssets().css}\n${PAGE_STYLE}</style>`
      : `<link rel="stylesheet" href="${escapeHtml(mode.base)}uplot.css"><link rel="stylesheet" href="${escapeHtml(mode.base)}page.css">`;
  const scripts =
    mode.kind === 'inline'
      ? `<script>${uplotAssets().js}</script><script>${PAGE_SCRIPT}</script>`
      : `<script src="${escapeHtml(mode.base)}uplot.js"></script><script src="${escapeHtml(mode.base)}page.js"></script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(mode))}">
<link rel="icon" href="data:,"><title>${escapeHtml(spec.title)} — perfloop</title>${head}</head><body>
<nav>${spec.nav ?? DEFAULT_NAV()}</nav>
<main>${spec.body}</main>
<script type="application/json" id="page-data">${jsonForScript(spec.data ?? { charts: [] })}</script>
${scripts}</body></html>
`;
}

/** Text into HTML (every label, URL, function name, SQL and finding goes through this). */
export const esc = (x: unknown): string => escapeHtml(x === null || x === undefined ? '–' : String(x));

/** A table from already-escaped cells. */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A chart placeholder the page script draws into. */
export const chartDiv = (c: ChartSpec) => `<div class="chart" data-chart="${esc(c.id)}"><h3>${esc(c.title)}</h3></div>`;
