import { severityForPct, type Finding } from '../../../core/finding.js';
import { isAppFile } from '../categories.js';
import type { TopConsumer } from '../top-consumers.js';
import type { ProfileRule, ProfileRuleInput } from './types.js';

/** Functions below this share of all CPU time are not worth a finding on their own. */
const MIN_SELF_PCT = 5;
/** …unless they are the service's own code and take this share of the service's own self time. */
const MIN_APP_SHARE_PCT = 25;
const MIN_APP_SELF_PCT = 1;

function finding(t: TopConsumer, input: ProfileRuleInput, appSharePct: number | null): Finding {
  const where = t.file ? ` (${t.file.split('/').slice(-2).join('/')}${t.line ? `:${t.line}` : ''})` : '';
  const line = t.hotLine;
  const lineNote =
    line && line.pct >= 30
      ? ` ${line.pct}% of its self time is line ${line.line}${line.builtin ? `, the ${line.builtin} call` : ''}${line.text ? `: \`${line.text}\`` : ''}.`
      : '';
  const share =
    appSharePct !== null && t.selfPct < MIN_SELF_PCT ? `, ${appSharePct}% of your own code's` : '';
  return {
    rule: 'cpu.hot-function',
    area: 'cpu',
    severity: severityForPct(Math.max(t.selfPct, appSharePct !== null ? Math.min(t.selfPct * 2, 7) : 0)),
    title: `${t.name} uses ${t.selfPct}% of CPU time${share} (${t.category})`,
    evidence: {
      function: t.name,
      file: t.file,
      line: t.line,
      category: t.category,
      selfPct: t.selfPct,
      totalPct: t.totalPct,
      appSharePct,
      selfMs: input.toMs(t.self),
      hotLine: line ?? null,
    },
    recommendation: `${t.action}.${lineNote} Function: ${t.name}${where}.`,
    estimatedImpact: {
      pct: t.selfPct,
      basis: 'share of the non-idle CPU samples spent in the function itself',
    },
  };
}

/**
 * The method's "wide plateau": one function with a large self time → optimize that function. Also the hottest
 * functions of the service's own code when a library (a database engine, say) dominates the profile: those
 * are what the user can change.
 */
export const hotFunction: ProfileRule = {
  id: 'cpu.hot-function',
  run(input) {
    const { top, profile, weights } = input;
    let appSelf = 0;
    profile.frames.forEach((f, i) => {
      if (f.kind === 'code' && isAppFile(f.file)) appSelf += weights.self[i];
    });
    const findings: Finding[] = [];
    for (const t of top) {
      if (profile.frames[t.frame].kind !== 'code') continue;
      const app = isAppFile(t.file) && appSelf > 0 ? Math.round((1000 * t.self) / appSelf) / 10 : null;
      const hotOverall = t.selfPct >= MIN_SELF_PCT;
      const hotInApp = app !== null && app >= MIN_APP_SHARE_PCT && t.selfPct >= MIN_APP_SELF_PCT;
      if (hotOverall || hotInApp) findings.push(finding(t, input, app));
    }
    return findings;
  },
};
