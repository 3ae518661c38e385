import { severityForPct, type Finding } from '../../../core/finding.js';
import type { ProfileRule } from './types.js';

/** Functions below this share of self time are not worth a finding. */
const MIN_SELF_PCT = 5;

/** The method's "wide plateau": one function with a large self time → optimize that function. */
export const hotFunction: ProfileRule = {
  id: 'cpu.hot-function',
  run({ top, profile, toMs }) {
    const findings: Finding[] = [];
    for (const t of top) {
      if (t.selfPct < MIN_SELF_PCT || profile.frames[t.frame].kind !== 'code') continue;
      const where = t.file ? ` (${t.file.split('/').slice(-2).join('/')}${t.line ? `:${t.line}` : ''})` : '';
      const line = t.hotLine;
      const lineNote =
        line && line.pct >= 30
          ? ` ${line.pct}% of its self time is line ${line.line}${line.builtin ? `, the ${line.builtin} call` : ''}${line.text ? `: \`${line.text}\`` : ''}.`
          : '';
      findings.push({
        rule: 'cpu.hot-function',
        area: 'cpu',
        severity: severityForPct(t.selfPct),
        title: `${t.name} uses ${t.selfPct}% of CPU time (${t.category})`,
        evidence: {
          function: t.name,
          file: t.file,
          line: t.line,
          category: t.category,
          selfPct: t.selfPct,
          totalPct: t.totalPct,
          selfMs: toMs(t.self),
          hotLine: line ?? null,
        },
        recommendation: `${t.action}.${lineNote} Function: ${t.name}${where}.`,
        estimatedImpact: { pct: t.selfPct, basis: 'share of the non-idle CPU samples spent in the function itself' },
      });
    }
    return findings;
  },
};
