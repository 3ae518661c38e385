import type { GateResult } from '../gate/gate.js';
import { fmtCi, fmtChange, fmtValue } from './comparison.js';

/** The gate as JUnit XML, so CI systems show each budget, threshold and metric as a test case. */
export function xmlEscape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Characters XML 1.0 forbids even escaped (C0 controls other than tab, newline, carriage return).
      .replace(/[^\t\n\r\u0020-\u{10ffff}]/gu, '')
  );
}

interface Case {
  name: string;
  failure?: string;
  skipped?: string;
  out?: string;
}

function suite(name: string, cases: readonly Case[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const body = cases.map((c) => {
    const inner = [
      c.failure !== undefined ? `<failure message="${xmlEscape(c.failure)}"/>` : '',
      c.skipped !== undefined ? `<skipped message="${xmlEscape(c.skipped)}"/>` : '',
      c.out ? `<system-out>${xmlEscape(c.out)}</system-out>` : '',
    ].join('');
    return `    <testcase classname="perfloop.${xmlEscape(name)}" name="${xmlEscape(c.name)}"${inner ? `>${inner}</testcase>` : '/>'}`;
  });
  return [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...body,
    '  </testsuite>',
  ].join('\n');
}

export function gateJunit(g: GateResult): string {
  const budgets: Case[] = g.budgets.map((b) => {
    const name = `${b.operation ? `${b.operation} ` : ''}${b.metric} ${b.kind} ${b.limit}`;
    return b.pass
      ? { name, out: `actual ${b.actual}` }
      : {
          name,
          failure: `actual ${b.actual === null ? 'not measured' : b.actual}${b.note ? ` (${b.note})` : ''}, limit ${b.kind} ${b.limit}`,
        };
  });
  const thresholds: Case[] = g.thresholds.map((t) => {
    const name = `${t.metric}: ${t.expression}`;
    return t.pass
      ? { name, out: `actual ${t.actual}` }
      : { name, failure: `actual ${t.actual === null ? t.note : t.actual}` };
  });
  const regressions: Case[] = g.regressions.map((r) => {
    const desc = `${fmtValue(r.before, r.unit)} → ${fmtValue(r.after, r.unit)} (${fmtChange(r.changePct)}, CI ${fmtCi(r.ci)}, p ${r.pValue ?? '–'}): ${r.verdict}`;
    if (!r.pass) return { name: r.label, failure: desc };
    if (r.verdict === 'unknown')
      return {
        name: r.label,
        skipped: `${desc}${r.moreRuns ? `; about ${r.moreRuns} more runs would decide` : ''}`,
      };
    return { name: r.label, out: desc + (r.gated ? '' : ' (not gated)') };
  });
  const suites = [
    suite('budgets', budgets),
    suite('thresholds', thresholds),
    suite('regressions', regressions),
  ];
  const all = [...budgets, ...thresholds, ...regressions];
  const failures = all.filter((c) => c.failure !== undefined).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="perfloop gate" tests="${all.length}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
