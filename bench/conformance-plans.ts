/**
 * Conformance of perfloop's plan parser and rules over the public EXPLAIN corpus
 * (`$PERFLOOP_CORPORA/plans`, default `../shared/corpora/plans` next to the repository; its README.md gives
 * every file's origin). Run: `node dist/bench/conformance-plans.js [DIR]`; exit 0 when everything agrees.
 *
 * There is no peer expectation for a plan (a regression plan *is* PostgreSQL's expected output), so the
 * expectation is read from each file's own text by a deliberately simple reader that shares no code with the
 * parser: it counts `->` arrows (text), `"Node Type"` keys (JSON), `Node Type:` (YAML) or `<Node-Type>` (XML),
 * and takes the root's name and the first `actual time=…` and every `Planning/Execution Time` with regexes.
 * The parser must agree on: how many plans, how many nodes, the root's type, the root's total time, and each
 * plan's planning and execution time. Outputs that are not plans (a test helper masked the numbers of a JSON
 * document, or printed single nodes) must be refused with exit 2 (a PLAN_INVALID error).
 *
 * Rules: on the regression plans (tiny tables) no rule may fire at medium or above, except the findings
 * listed in EXPECTED_FINDINGS with the reason a reader would agree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPerfloopError } from '../src/core/errors.js';
import { severityRank } from '../src/core/finding.js';
import { analysePlan } from '../src/db/plan-analysis.js';
import { parsePlans, type Plan } from '../src/db/plan/index.js';

/** Files that are not plans, and why (each must be refused with PLAN_INVALID). */
export const EXPECTED_REFUSALS: Record<string, string> = {
  'pg18/pg18__explain__008.plan': 'explain_filter() masked every number of the JSON (N.N): not valid JSON',
  'pg18/pg18__explain__011.plan': 'explain_filter() masked every number of the JSON (N.N): not valid JSON',
  'pg18/pg18__explain__018.plan': 'explain_filter() masked every number of the JSON (N.N): not valid JSON',
  'pg18/pg18__incremental_sort__010.plan':
    'explain_analyze_inc_sort_nodes() prints single plan nodes, not an EXPLAIN result (no "Plan")',
  'pg18/pg18__incremental_sort__016.plan':
    'explain_analyze_inc_sort_nodes() prints single plan nodes, not an EXPLAIN result (no "Plan")',
};

/** Findings at medium or above on regression plans that a reader would agree with. */
export const EXPECTED_FINDINGS: Record<string, string> = {};

export interface Expected {
  format: 'text' | 'json' | 'yaml' | 'xml';
  plans: number;
  nodes: number;
  rootLabel: string | null;
  rootTotalMs: number | null;
  planningMs: number[];
  executionMs: number[];
  masked: boolean;
}

/** What the file's own text says, by counting (no parsing). */
export function expectedFromText(raw: string): Expected {
  const flat = raw.replace(/\r?\n/g, '');
  const all = (re: RegExp, s = raw) => [...s.matchAll(re)].map((m) => Number(m[1]));
  const first = (re: RegExp) => {
    const m = re.exec(flat);
    return m ? Number(m[1]) : null;
  };
  const masked = /\b(time|rows|cost)=N\b|: N(\.N+)?,?\s*[+|]?\s*$|>N(\.N+)?</m.test(raw);
  if (/"{1,2}Node Type"{1,2}\s*:/.test(raw))
    return {
      format: 'json',
      plans: count(/"{1,2}Plan"{1,2}\s*:/g, raw),
      nodes: count(/"{1,2}Node Type"{1,2}\s*:/g, raw),
      rootLabel: leastIndented(raw, /^(\W*)"{1,2}Node Type"{1,2}\s*:\s*"{1,2}([^"]+)"/gm),
      rootTotalMs: first(/"{1,2}Actual Total Time"{1,2}\s*:\s*([\d.]+)/),
      planningMs: all(/"{1,2}Planning Time"{1,2}\s*:\s*([\d.]+)/g),
      executionMs: all(/"{1,2}Execution Time"{1,2}\s*:\s*([\d.]+)/g),
      masked,
    };
  if (/<Node-Type>/.test(raw))
    return {
      format: 'xml',
      plans: count(/<Query>/g, raw),
      nodes: count(/<Node-Type>/g, raw),
      rootLabel: /<Node-Type>([^<]+)</.exec(raw)?.[1] ?? null,
      rootTotalMs: first(/<Actual-Total-Time>([\d.]+)</),
      planningMs: all(/<Planning-Time>([\d.]+)</g),
      executionMs: all(/<Execution-Time>([\d.]+)</g),
      masked,
    };
  if (/^\W*Node Type: /m.test(raw))
    return {
      format: 'yaml',
      plans: count(/^\W*- Plan:/gm, raw),
      nodes: count(/^\W*Node Type: /gm, raw),
      rootLabel: /Node Type: "?([^"\n]+)"?/.exec(raw)?.[1]?.trim() ?? null,
      rootTotalMs: first(/Actual Total Time: ([\d.]+)/),
      planningMs: all(/Planning Time: ([\d.]+)/g),
      executionMs: all(/Execution Time: ([\d.]+)/g),
      masked,
    };
  return {
    format: 'text',
    plans: textPlanCount(raw),
    // EXPLAIN prints every child as `->` and two spaces; a root has no arrow
    nodes: count(/->\s{2}\S/g, raw) + (textRoot(raw).arrowFirst ? 0 : textPlanCount(raw)),
    rootLabel: textRootLabel(raw),
    rootTotalMs: first(/actual time=[\d.]+\.\.([\d.]+)/),
    planningMs: all(/planning time: ([\d.]+) ms/gi),
    executionMs: all(/(?:execution time|total runtime): ([\d.]+) ms/gi),
    masked,
  };
}

const count = (re: RegExp, s: string) => [...s.matchAll(re)].length;

/** The value of the least indented match (keys of a node can come in any order; the root is outermost). */
function leastIndented(raw: string, re: RegExp): string | null {
  let best: [number, string] | null = null;
  for (const m of raw.matchAll(re)) if (!best || m[1].length < best[0]) best = [m[1].length, m[2]];
  return best?.[1] ?? null;
}

const FOOTER =
  /^(planning|execution|total runtime|jit|trigger|settings|query|serialization|functions|options|timing|buffers|time)/i;

interface TextLine {
  no: number;
  indent: number;
  text: string;
}

/** Lines without psql's borders, quotes and newline marks; what precedes the last rule line near the top is header. */
function textLines(raw: string): TextLine[] {
  const lines = raw.split(/\r?\n/).map((l, no) => {
    const s = l.replace(/^\s*[|│║"]/, '').replace(/[\s|│║"+↵]+$/, '');
    return { no, indent: s.length - s.trimStart().length, text: s.trim() };
  });
  const rules = lines.slice(0, 12).filter((l) => /^[-─═+┌╔├╟]{3,}/.test(l.text) && !l.text.startsWith('->'));
  return rules.length ? lines.slice(rules[rules.length - 1].no + 1) : lines;
}

const isCandidate = (t: string) =>
  /^[A-Z]/.test(t) &&
  !/^[A-Z][^:(]*:( |$)/.test(t) &&
  !/^(?!CTE )[A-Z]{2,}\b/.test(t) &&
  !t.endsWith(';') &&
  !/^(InitPlan|SubPlan|CTE |Not a|Also)/.test(t);

/** The root: the least indented node line above the first arrow (or the first line with costs). */
function textRoot(raw: string): { line: TextLine | null; arrowFirst: boolean } {
  const lines = textLines(raw);
  const arrow = lines.findIndex((l) => l.text.startsWith('->  '));
  const firstContent = lines.find((l) => l.text !== '');
  if (arrow >= 0 && firstContent === lines[arrow]) return { line: lines[arrow], arrowFirst: true };
  const candidates = (arrow < 0 ? lines : lines.slice(0, arrow)).filter((l) => isCandidate(l.text));
  const withCost = candidates.find((l) => /\((cost|actual)/.test(l.text));
  const minIndent = Math.min(...candidates.map((l) => l.indent));
  return {
    line: (arrow < 0 && withCost) || candidates.find((l) => l.indent === minIndent) || null,
    arrowFirst: false,
  };
}

function textRootLabel(raw: string): string | null {
  const { line } = textRoot(raw);
  return line
    ? line.text
        .replace(/^->\s+/, '')
        .replace(/\s+\((cost|actual|never).*$/, '')
        .trim()
    : null;
}

/** Plans of a multi-plan text output are separated by a blank line, auto_explain's entries by `Query Text:`. */
function textPlanCount(raw: string): number {
  const queries = raw.split(/\r?\n/).filter((l) => /^\W*Query Text:/.test(l)).length;
  if (queries > 1) return queries;
  const { line: root } = textRoot(raw);
  if (!root) return 1;
  const lines = textLines(raw).filter((l) => l.no > root.no);
  let plans = 1;
  for (let i = 1; i < lines.length; i++) {
    const cur = lines[i];
    if (
      lines[i - 1].text !== '' ||
      cur.indent > root.indent + 1 ||
      !isCandidate(cur.text) ||
      FOOTER.test(cur.text)
    )
      continue;
    if (lines.slice(i + 1).some((l) => l.text.startsWith('->  ') || /\((cost|actual)/.test(l.text))) plans++;
  }
  return plans;
}

export interface Disagreement {
  file: string;
  reason: string;
}

export interface ConformanceResult {
  files: number;
  byFolder: Record<string, { files: number; agree: number; refused: number }>;
  disagreements: Disagreement[];
  findings: Disagreement[];
}

export function runPlanConformance(dir: string): ConformanceResult {
  const res: ConformanceResult = { files: 0, byFolder: {}, disagreements: [], findings: [] };
  for (const folder of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const stats = (res.byFolder[folder.name] = { files: 0, agree: 0, refused: 0 });
    for (const name of readdirSync(join(dir, folder.name)).sort()) {
      if (!name.endsWith('.plan')) continue;
      const file = `${folder.name}/${name}`;
      const raw = readFileSync(join(dir, file), 'utf8');
      res.files++;
      stats.files++;
      const problems = checkFile(file, raw, res, folder.name.startsWith('pg18'));
      if (problems.length === 0) {
        stats.agree++;
        if (EXPECTED_REFUSALS[file]) stats.refused++;
      } else res.disagreements.push(...problems.map((reason) => ({ file, reason })));
    }
  }
  return res;
}

function checkFile(file: string, raw: string, res: ConformanceResult, regression: boolean): string[] {
  const exp = expectedFromText(raw);
  let plans: Plan[];
  try {
    plans = parsePlans(raw).plans;
  } catch (e) {
    if (!isPerfloopError(e)) return [`crashed: ${(e as Error).stack?.split('\n')[0]}`];
    if (EXPECTED_REFUSALS[file]) return e.code === 'PLAN_INVALID' ? [] : [`refused with ${e.code}`];
    return [`refused: ${e.message}`];
  }
  if (EXPECTED_REFUSALS[file]) return [`parsed, but expected a refusal (${EXPECTED_REFUSALS[file]})`];
  const out: string[] = [];
  const nodes = plans.reduce((s, p) => s + p.nodes.length, 0);
  if (plans.length !== exp.plans) out.push(`plans: ${plans.length}, the text has ${exp.plans}`);
  if (nodes !== exp.nodes) out.push(`nodes: ${nodes}, the text has ${exp.nodes}`);
  const root = plans[0].root;
  if (exp.rootLabel !== null && !sameRoot(root, exp.rootLabel, exp.format))
    out.push(`root: ${root.label} (${root.nodeType}), the text has ${exp.rootLabel}`);
  if (!exp.masked && exp.rootTotalMs !== null && root.actual?.totalMs !== exp.rootTotalMs)
    out.push(`root time: ${root.actual?.totalMs ?? 'none'}, the text has ${exp.rootTotalMs}`);
  const planning = plans.map((p) => p.planningMs).filter((x): x is number => x !== null);
  const execution = plans.map((p) => p.executionMs).filter((x): x is number => x !== null);
  if (!exp.masked && planning.join() !== exp.planningMs.join())
    out.push(
      `planning: ${planning.join(', ') || 'none'}, the text has ${exp.planningMs.join(', ') || 'none'}`,
    );
  if (!exp.masked && execution.join() !== exp.executionMs.join())
    out.push(
      `execution: ${execution.join(', ') || 'none'}, the text has ${exp.executionMs.join(', ') || 'none'}`,
    );
  if (regression)
    for (const p of plans)
      for (const f of analysePlan(p))
        if (severityRank(f.severity) >= severityRank('medium')) {
          const key = `${file} ${f.rule}`;
          res.findings.push({ file, reason: `${f.rule} (${f.severity}): ${f.title}` });
          if (!EXPECTED_FINDINGS[key])
            out.push(`rule fired on a regression plan: ${f.rule} (${f.severity}) ${f.title}`);
        }
  return out;
}

function sameRoot(root: Plan['root'], expected: string, format: Expected['format']): boolean {
  if (format !== 'text') return root.nodeType === expected;
  const unquote = (s: string) => s.replaceAll('"', '');
  const want = unquote(expected);
  // the label perfloop prints up to the relation must begin what EXPLAIN printed, and name the same relation
  const head = unquote(root.label).split(/ (on|using) /)[0];
  if (!want.startsWith(head.replace(/^(Partial |Finalize )?(Parallel )?/, (m) => m))) return false;
  return root.relation === null || want.includes(root.relation);
}

export function corpusDir(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const base = process.env.PERFLOOP_CORPORA ?? '../shared/corpora';
  return join(isAbsolute(base) ? base : resolve(repoRoot, base), 'plans');
}

function main(): void {
  const dir = process.argv[2] ?? corpusDir();
  if (!existsSync(dir)) {
    console.error(`conformance-plans: no corpus at ${dir} (set PERFLOOP_CORPORA)`);
    process.exit(2);
  }
  const t0 = performance.now();
  const res = runPlanConformance(dir);
  const ms = performance.now() - t0;
  console.log(`plan conformance over ${dir} (${res.files} files, ${Math.round(ms)} ms)\n`);
  console.log('folder        files   agree  (refused as not plans)');
  for (const [folder, s] of Object.entries(res.byFolder))
    console.log(
      `${folder.padEnd(12)} ${String(s.files).padStart(6)} ${String(s.agree).padStart(7)}  (${s.refused})`,
    );
  const agree = Object.values(res.byFolder).reduce((s, f) => s + f.agree, 0);
  console.log(
    `${'total'.padEnd(12)} ${String(res.files).padStart(6)} ${String(agree).padStart(7)}  ${((100 * agree) / Math.max(1, res.files)).toFixed(1)} %`,
  );
  console.log('\nrefused as not plans (expected):');
  for (const [file, why] of Object.entries(EXPECTED_REFUSALS)) console.log(`  ${file}: ${why}`);
  if (res.findings.length) {
    console.log('\nfindings (medium or above) on regression plans:');
    for (const f of res.findings)
      console.log(
        `  ${f.file}: ${f.reason}${EXPECTED_FINDINGS[`${f.file} ${f.reason.split(' ')[0]}`] ? ` — expected: ${EXPECTED_FINDINGS[`${f.file} ${f.reason.split(' ')[0]}`]}` : ''}`,
      );
  }
  if (res.disagreements.length) {
    console.log(`\n${res.disagreements.length} disagreement(s):`);
    for (const d of res.disagreements) console.log(`  ${d.file}: ${d.reason}`);
  }
  process.exit(res.disagreements.length === 0 ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
