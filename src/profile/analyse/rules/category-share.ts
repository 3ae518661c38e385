import { severityForPct, type Finding } from '../../../core/finding.js';
import { actionFor, isAppFile } from '../categories.js';
import { pctOf } from '../tree-stats.js';
import type { ProfileRule, ProfileRuleInput } from './types.js';

/**
 * The method's "unexpected findings" share one shape: a category (GC, logging, serialization, regexp) takes
 * more CPU than a healthy service spends on it. Each such rule is this factory with its own threshold and
 * words; the evidence names the functions in the category and the service's own functions that call into it.
 */
export interface CategoryShareRuleConfig {
  id: string;
  category: string;
  /** Fires at or above this share (0–100) of non-idle CPU. */
  minPct: number;
  /** Part of the category's share a typical fix saves (for the estimated impact). */
  impactFactor: number;
  basis: string;
  title(pct: number, main: string | undefined): string;
  recommendation(ctx: { callers: string[]; functions: string[]; action: string }): string;
}

export interface CategoryCaller {
  function: string;
  file: string | null;
  line: number | null;
  pct: number;
}

/** The service's own functions whose calls into `category` cost the most (by the self time below them). */
export function callersInto(input: ProfileRuleInput, category: string, limit = 5): CategoryCaller[] {
  const { profile: p, weights: w, nodeCategories: cats } = input;
  const appCaller = new Int32Array(p.nodeCount).fill(-1);
  const ids = cats.ids;
  const target = cats.idOf(category);
  const by = new Map<number, number>();
  const isApp = p.frames.map((f) => f.kind === 'code' && isAppFile(f.file));
  for (let n = 0; n < p.nodeCount; n++) {
    const parent = p.nodeParent[n];
    const f = p.nodeFrame[n];
    appCaller[n] = isApp[f] && ids[n] !== target ? f : parent >= 0 ? appCaller[parent] : -1;
    if (ids[n] === target && w.nodeSelf[n] > 0 && appCaller[n] >= 0)
      by.set(appCaller[n], (by.get(appCaller[n]) ?? 0) + w.nodeSelf[n]);
  }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([f, x]) => ({
      function: p.frames[f].name,
      file: p.frames[f].file ?? null,
      line: p.frames[f].line ?? null,
      pct: pctOf(x, w.active),
    }));
}

export function categoryShareRule(cfg: CategoryShareRuleConfig): ProfileRule {
  return {
    id: cfg.id,
    run(input): Finding[] {
      const share = input.categories.find((c) => c.name === cfg.category)?.pct ?? 0;
      if (share < cfg.minPct) return [];
      const functions = input.top
        .filter((t) => t.category === cfg.category)
        .slice(0, 5)
        .map((t) => ({
          function: t.name,
          file: t.file,
          line: t.line,
          selfPct: t.selfPct,
          hotLine: t.hotLine ?? null,
        }));
      const callers = callersInto(input, cfg.category);
      const impact = Math.round(share * cfg.impactFactor * 100) / 100;
      const where = (c: { file: string | null; line: number | null }) =>
        c.file ? ` (${c.file.split('/').slice(-2).join('/')}${c.line ? `:${c.line}` : ''})` : '';
      return [
        {
          rule: cfg.id,
          area: 'cpu',
          severity: severityForPct(share),
          title: cfg.title(share, functions[0]?.function ?? callers[0]?.function),
          evidence: { category: cfg.category, pct: share, functions, callers },
          recommendation: cfg.recommendation({
            callers: callers.map((c) => `${c.function}${where(c)} ${c.pct}%`),
            functions: functions.map((f) => `${f.function} ${f.selfPct}%`),
            action: actionFor(cfg.category, input.categoryRules),
          }),
          estimatedImpact: { pct: impact, basis: cfg.basis },
        },
      ];
    },
  };
}

/** "a, b and c" */
export function listed(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
