/** The dashboard's stylesheet (served as page.css, inlined in a self-contained report.html). */
export const PAGE_STYLE = `
body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
nav{display:flex;gap:16px;padding:8px 24px;background:#263238}
nav a{color:#eceff1;text-decoration:none;font-weight:600}
main{padding:12px 24px 48px;max-width:1280px}
h1{font-size:20px;margin:12px 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:13px;margin:4px 0;color:#455a64}
table{border-collapse:collapse;margin:6px 0;background:#fff}
td,th{border:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px ui-monospace,monospace}pre{background:#fff;border:1px solid #e0e0e0;padding:8px;overflow:auto}
.meta{color:#555}.small{font-size:12px;color:#666}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}
.chart{background:#fff;border:1px solid #e0e0e0;padding:6px;min-height:260px}
.sev-critical,.sev-high{color:#b71c1c;font-weight:600}.sev-medium{color:#e65100}.sev-low,.sev-info{color:#555}
.v-improved{color:#2e7d32;font-weight:600}.v-regressed{color:#c62828;font-weight:600}.v-same{color:#757575}.v-unknown{color:#f9a825}
.finding{background:#fff;border:1px solid #e0e0e0;margin:8px 0;padding:8px}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}
.finding dt{color:#666}.finding dd{margin:0;font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap;word-break:break-word}
.scenario{background:#fff;border:1px solid #e0e0e0;padding:8px;margin:8px 0;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.scenario .name{min-width:280px;max-width:420px}
.spark{display:flex;flex-direction:column;font-size:11px;color:#555}
iframe.flame{width:100%;height:720px;border:1px solid #e0e0e0;background:#fff}
form.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin:8px 0}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555}
.side{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.pager a{margin-right:12px}
.stat{display:inline-block;background:#fff;border:1px solid #e0e0e0;padding:6px 12px;margin:4px;min-width:110px}
.stat b{display:block;font-size:18px}
`;
