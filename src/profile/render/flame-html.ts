import { escapeHtml, jsonForScript } from './escape.js';
import type { FlameData } from './flame-data.js';
import { FLAME_PAGE_SCRIPT } from './flame-page-script.js';

/**
 * One self-contained HTML file (no network) with a canvas flame graph: left-heavy and time-order views, icicle,
 * click to zoom, regex search with the matched share, focus and hide by regex, a sandwich view (callers and
 * callees of one function), tooltips with self/total, a function table — and, for a diff, red/blue colouring
 * with a table of the largest changes. Names reach the page only as JSON data (escaped for a <script> element)
 * and are drawn with fillText/textContent, never as markup.
 */
export function flameHtml(data: FlameData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)} — perfloop flame graph</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<style>
body{margin:0;font:12px system-ui,sans-serif;background:#fff;color:#222}
header{display:flex;gap:10px;align-items:center;padding:6px 10px;border-bottom:1px solid #ddd;flex-wrap:wrap;position:sticky;top:0;background:#fff;z-index:2}
header h1{font-size:14px;margin:0 8px 0 0;max-width:40vw;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
input[type=text]{width:170px}
input.bad{outline:2px solid #d33}
button.on{background:#333;color:#fff}
#status,#legend{color:#555}
.pane{position:relative;overflow:auto;border-bottom:1px solid #eee}
.pane canvas{position:absolute;left:0;top:0;display:block}
#main{height:calc(100vh - 230px);min-height:240px}
#callers,#callees{height:calc(50vh - 120px);min-height:160px}
#sandwich h2{font-size:13px;margin:6px 10px}
#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:6px 8px;border-radius:4px;max-width:600px;display:none;white-space:pre-wrap;z-index:3}
section{padding:6px 10px}
table{border-collapse:collapse;width:100%}
td{padding:2px 8px;border-bottom:1px solid #f0f0f0;white-space:nowrap;max-width:520px;overflow:hidden;text-overflow:ellipsis}
thead td{font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.fn{cursor:pointer;color:#0645ad}
td.loc{color:#777}
td.up{color:#c22}td.down{color:#22c}
</style></head><body>
<header><h1>${escapeHtml(data.title)}</h1>
<button data-view="flame" title="stacks merged, widest first">left-heavy</button><button data-view="time" title="samples in the order they were taken">time order</button><button data-view="sandwich" title="callers and callees of one function">sandwich</button>
<label><input id="icicle" type="checkbox"> icicle</label>
<input id="search" type="text" placeholder="search (regex)" aria-label="search"><span id="status"></span>
<input id="focus" type="text" placeholder="focus on (regex) ⏎" aria-label="focus"><input id="hide" type="text" placeholder="hide (regex) ⏎" aria-label="hide">
<select id="width-mode" style="display:none" aria-label="width"><option value="both">width: both</option><option value="after">width: after</option><option value="before">width: before</option></select>
<button id="reset">reset zoom</button><span id="legend"></span></header>
<div id="main" class="pane"></div>
<div id="sandwich" style="display:none"><h2>Callers of <span id="sandwich-title"></span></h2><div id="callers" class="pane"></div><h2>Callees</h2><div id="callees" class="pane"></div></div>
<section><h2 id="table-title" style="font-size:13px"></h2><table><thead id="table-head"></thead><tbody id="table"></tbody></table></section>
<div id="tip"></div>
<script type="application/json" id="flame-data">${jsonForScript(data)}</script>
<script>${FLAME_PAGE_SCRIPT}</script></body></html>
`;
}
