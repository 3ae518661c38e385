/**
 * What the page runs before its own scripts: buffered PerformanceObservers for paint, LCP, layout shifts and long
 * tasks, kept on `window.__perfloop` until perfloop reads them. A string, because it runs in the page (the project
 * compiles without the DOM library). LCP and CLS follow web-vitals' definitions (LCP: the last candidate before
 * input; CLS: the largest session window of shifts without recent input, gaps < 1 s, windows ≤ 5 s).
 */
export const OBSERVER_SCRIPT = `(() => {
  const s = { lcp: null, shifts: [], longTasks: [], fcp: null, fid: null, inp: null };
  Object.defineProperty(window, '__perfloop', { value: s, enumerable: false });
  const observe = (type, fn) => { try { new PerformanceObserver((l) => l.getEntries().forEach(fn)).observe({ type, buffered: true }); } catch {} };
  observe('paint', (e) => { if (e.name === 'first-contentful-paint') s.fcp = e.startTime; });
  observe('largest-contentful-paint', (e) => { s.lcp = e.renderTime || e.loadTime || e.startTime; });
  observe('layout-shift', (e) => { if (!e.hadRecentInput) s.shifts.push([e.startTime, e.value]); });
  observe('longtask', (e) => { s.longTasks.push([e.startTime, e.duration]); });
  observe('first-input', (e) => { if (s.fid === null) s.fid = e.processingStart - e.startTime; });
  // INP: the slowest interaction (web-vitals takes the 98th percentile, which is the slowest below 50 interactions).
  try { new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (e.interactionId) s.inp = Math.max(s.inp || 0, e.duration); })).observe({ type: 'event', buffered: true, durationThreshold: 16 }); } catch {}
})();`;

/** What `collectTimings` reads back from the page (a function evaluated there; its body must stay DOM-only). */
export const READ_SCRIPT = `(() => {
  const s = window.__perfloop || { lcp: null, shifts: [], longTasks: [], fcp: null, fid: null, inp: null };
  const n = performance.getEntriesByType('navigation')[0];
  return {
    timeOrigin: performance.timeOrigin,
    ttfb: n ? n.responseStart : null,
    dcl: n && n.domContentLoadedEventEnd > 0 ? n.domContentLoadedEventEnd : null,
    load: n && n.loadEventEnd > 0 ? n.loadEventEnd : null,
    fcp: s.fcp,
    lcp: s.lcp,
    shifts: s.shifts,
    longTasks: s.longTasks,
    fid: s.fid,
    inp: s.inp,
  };
})()`;

export interface RawPageTimings {
  timeOrigin: number;
  ttfb: number | null;
  dcl: number | null;
  load: number | null;
  fcp: number | null;
  lcp: number | null;
  shifts: [number, number][];
  longTasks: [number, number][];
  fid: number | null;
  inp: number | null;
}
