/**
 * Where a page links to: the server's routes, or files of a static export. Pages take this so one renderer
 * serves both (`perfloop ui` and `perfloop report --html`) and the two never drift.
 */
export interface PageLinks {
  /** The Runs page (null in an export without one). */
  root: string | null;
  /** null where the view has no page for it (a static export holds only some pages). */
  run(id: string): string | null;
  scenario(id: string): string | null;
  compare(before: string, after: string): string | null;
  /** A run's artifact by name, or null when this view cannot reach it (not recorded, not exported). */
  artifact(runId: string, name: string): string | null;
  /** The differential flame graph of two runs, or null when not available. */
  flameDiff?(before: string, after: string): string | null;
  live: string | null;
}

/** `inner` (already-escaped HTML) as a link when there is somewhere to go, else as it is. */
export function linkTo(href: string | null | undefined, inner: string, attrs = ''): string {
  return href ? `<a href="${escapeAttr(href)}"${attrs}>${inner}</a>` : attrs ? `<span${attrs}>${inner}</span>` : inner;
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const enc = encodeURIComponent;

/** The routes of `perfloop ui`. */
export function serverLinks(artifactNames: (runId: string) => readonly string[] = () => []): PageLinks {
  return {
    root: '/',
    run: (id) => `/runs/${enc(id)}`,
    scenario: (id) => `/scenarios/${enc(id || '-')}`,
    compare: (a, b) => `/compare/${enc(a)}/${enc(b)}`,
    artifact: (runId, name) => (artifactNames(runId).includes(name) ? `/runs/${enc(runId)}/artifacts/${enc(name)}` : null),
    flameDiff: (a, b) => `/compare/${enc(a)}/${enc(b)}/flame-diff.html`,
    live: '/live',
  };
}
