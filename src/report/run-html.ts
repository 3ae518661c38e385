import type { RunRecord } from '../core/run.js';
import { renderPage } from './html/layout.js';
import type { PageLinks } from './html/links.js';
import { runPage } from './html/run-page.js';

/** Links from a run folder's report.html: its own artifacts beside it, no other pages. */
export function runFolderLinks(r: RunRecord): PageLinks {
  return {
    root: null,
    run: (id) => (id === r.run.id ? 'report.html' : null),
    scenario: () => null,
    compare: () => null,
    artifact: (id, name) => (id === r.run.id && r.artifacts[name] ? encodeURI(r.artifacts[name]) : null),
    live: null,
  };
}

/**
 * `report.html`: the dashboard's Run page as one self-contained file (uPlot and the page script inlined, allowed
 * by hash) — the same renderer as `perfloop ui` and `perfloop report --html`, so the three never drift.
 */
export function runHtml(r: RunRecord): string {
  return renderPage({ ...runPage(r, runFolderLinks(r)), nav: '' }, { kind: 'inline' });
}
