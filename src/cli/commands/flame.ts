import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { EXIT } from '../../core/errors.js';
import { PerfloopError } from '../../core/errors.js';
import type { Profile } from '../../core/profile.js';
import type { CategoryRule } from '../../profile/analyse/categories.js';
import { analyseProfile, type ProfileAnalysis } from '../../profile/analyse/index.js';
import { diffCategories, diffProfiles, type ProfileDiff } from '../../profile/diff/diff.js';
import { EXPORTERS, exportProfile } from '../../profile/export/index.js';
import { importProfileFile, importProfileFiles, type ImportOptions } from '../../profile/import/index.js';
import { importProgress } from '../../profile/import/progress.js';
import {
  diffFlameData,
  flameData,
  frameCategories,
  type FlameData,
} from '../../profile/render/flame-data.js';
import { flameHtml } from '../../profile/render/flame-html.js';
import { flameSvg } from '../../profile/render/flame-svg.js';
import { analysisText, diffText } from '../../profile/render/text-report.js';
import { focusProfile, hideFrames } from '../../profile/transform/focus-hide.js';
import type { Command, CommandIO, ParsedValues } from '../command.js';
import { int, str } from '../parse.js';

export const PROFILE_ANALYSIS_SCHEMA = 'perfloop/profile-analysis@1';

function regexOption(v: ParsedValues, name: string): RegExp | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  try {
    return new RegExp(s);
  } catch (e) {
    throw new PerfloopError('USAGE', `--${name}: not a valid regular expression: ${(e as Error).message}`);
  }
}

/** The `--json` document: the contract of perfloop/profile-analysis@1 (plus priorities, and diff with --diff). */
export function analysisJson(
  profile: Profile,
  a: ProfileAnalysis,
  diff?: ProfileDiff,
): Record<string, unknown> {
  return {
    schema: PROFILE_ANALYSIS_SCHEMA,
    format: profile.meta.format,
    warnings: profile.meta.warnings ?? [],
    unit: a.unit,
    totalWeight: a.totalWeight,
    activeWeight: a.activeWeight,
    samples: a.samples,
    top: a.top.map((t) => ({
      name: t.name,
      file: t.file,
      line: t.line,
      category: t.category,
      self: t.self,
      selfPct: t.selfPct,
      total: t.total,
      totalPct: t.totalPct,
      action: t.action,
      ...(t.hotLine ? { hotLine: t.hotLine } : {}),
    })),
    categories: a.categories,
    findings: a.findings,
    priorities: a.priorities,
    ...(diff ? { diff } : {}),
  };
}

async function load(
  paths: string[],
  options: ImportOptions,
  io: CommandIO,
  transform: (p: Profile) => Profile,
): Promise<Profile> {
  const progress = importProgress(io.err, io.isTTY);
  try {
    const label = paths.length === 1 ? basename(paths[0]) : `${paths.length} files`;
    return transform(await importProfileFiles(paths, { ...options, progress: progress.onProgress(label) }));
  } finally {
    progress.done();
  }
}

export const flameCommand: Command = {
  name: 'flame',
  summary:
    'analyse CPU profiles (cpuprofile, Chrome trace, speedscope, folded, pprof, perf script): top consumers, findings, flame graph, diff',
  usage:
    'perfloop flame FILE… [--top N] [--json] [--html OUT] [--svg OUT] [--diff OTHER] [--focus RE] [--hide RE] [--format NAME] [--event NAME] [--sample-type NAME] [--weight samples|period] [--thread NAME|all] [--export FORMAT --out FILE]',
  details: [
    'Several FILEs are merged into one profile. Formats are detected by name, then content; .gz is read transparently.',
    'With --diff, FILE… is "before" and OTHER is "after": the flame graph is red where a function grew and blue where',
    'it shrank (as a share of each profile), and the largest changes are listed. A two-count folded file',
    '("stack before after") is shown as a diff by itself.',
  ].join('\n'),
  positionals: true,
  options: {
    top: { type: 'string', arg: 'N', description: 'how many top consumers', default: '10' },
    json: { type: 'boolean', description: `print the analysis as JSON (${PROFILE_ANALYSIS_SCHEMA})` },
    html: {
      type: 'string',
      arg: 'OUT',
      description: 'write the interactive flame graph (one self-contained HTML file)',
    },
    svg: { type: 'string', arg: 'OUT', description: 'write a static SVG flame graph' },
    diff: {
      type: 'string',
      arg: 'OTHER',
      description: 'compare with this profile (FILE… before, OTHER after)',
    },
    focus: { type: 'string', arg: 'RE', description: 'only stacks through frames matching RE, rooted there' },
    hide: {
      type: 'string',
      arg: 'RE',
      description: 'remove frames matching RE (their time goes to the caller)',
    },
    'sample-type': {
      type: 'string',
      arg: 'NAME',
      description: 'pprof: which sample type (e.g. cpu, alloc_space); default as pprof',
    },
    event: {
      type: 'string',
      arg: 'NAME',
      description: 'perf script: which event when the file holds several (default: the first)',
    },
    weight: {
      type: 'string',
      arg: 'samples|period',
      description: 'perf script: weigh samples by their period (default when recorded) or count them',
    },
    thread: {
      type: 'string',
      arg: 'NAME|all',
      description:
        'Firefox/trace-event files: which thread (name or tid), or all; default all of them merged',
    },
    export: {
      type: 'string',
      arg: 'FORMAT',
      description: `write the (merged, focused) profile as ${Object.keys(EXPORTERS).join('|')}`,
    },
    out: { type: 'string', arg: 'FILE', description: 'where --export writes' },
    categories: {
      type: 'string',
      arg: 'FILE',
      description: 'extra category rules (YAML/JSON), tried before the built-in ones',
    },
    format: { type: 'string', arg: 'FORMAT', description: 'input format, when detection guesses wrong' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, files, io) {
    if (files.length === 0)
      throw new PerfloopError('USAGE', 'perfloop flame: no profile FILE given', { hint: this.usage });
    const exportFormat = str(v, 'export');
    const out = str(v, 'out');
    if (exportFormat && !out) throw new PerfloopError('USAGE', '--export needs --out FILE');
    if (exportFormat && !EXPORTERS[exportFormat]) {
      throw new PerfloopError('USAGE', `--export: unknown format ${JSON.stringify(exportFormat)}`, {
        hint: `formats: ${Object.keys(EXPORTERS).join(', ')}`,
      });
    }
    const top = int(v, 'top', 1) ?? 10;
    const focus = regexOption(v, 'focus');
    const hide = regexOption(v, 'hide');
    const categoriesFile = str(v, 'categories');
    // Loaded only when asked for: its YAML parser and schema library are ~170 modules (~0.1 s of start-up).
    const rules: CategoryRule[] = categoriesFile
      ? (await import('../../profile/analyse/category-config.js')).loadCategoryRules(categoriesFile)
      : [];
    const weight = str(v, 'weight');
    if (weight !== undefined && weight !== 'samples' && weight !== 'period')
      throw new PerfloopError('USAGE', `--weight: ${JSON.stringify(weight)} is not samples or period`);
    const options: ImportOptions & { format?: string } = {
      sampleType: str(v, 'sample-type'),
      format: str(v, 'format'),
      event: str(v, 'event'),
      weight,
      thread: str(v, 'thread'),
      signal: io.signal,
    };
    const transform = (p: Profile) => {
      let q = p;
      if (focus) q = focusProfile(q, focus);
      if (hide) q = hideFrames(q, hide);
      return q;
    };

    let profile = await load(files, options, io, transform);
    let before: Profile | undefined;
    const diffFile = str(v, 'diff');
    if (diffFile) {
      before = profile;
      profile = await load([diffFile], options, io, transform);
    } else if (profile.meta.format === 'folded-diff' && files.length === 1) {
      before = transform(await importProfileFile(files[0], { ...options, column: 'before' }));
    }
    if (profile.sampleCount === 0) {
      throw new PerfloopError(
        'PROFILE_EMPTY',
        `${files.join(', ')}: no samples${focus || hide ? ' left after --focus/--hide' : ''}`,
      );
    }

    const analysis = analyseProfile(profile, { top, categoryRules: rules });
    const diff = before ? diffProfiles(before, profile, 20) : undefined;
    if (before && diff)
      diff.categories = diffCategories(
        analyseProfile(before, { categoryRules: rules }).categories,
        analysis.categories,
      );
    const title = diffFile
      ? `${files.map((f) => basename(f)).join(' + ')} → ${basename(diffFile)}`
      : files.map((f) => basename(f)).join(' + ');

    const htmlOut = str(v, 'html');
    const svgOut = str(v, 'svg');
    if (htmlOut || svgOut) {
      const refined = new Map(
        analysis.top.filter((t) => t.hotLine?.category === t.category).map((t) => [t.frame, t.category]),
      );
      let data: FlameData;
      if (before && diff) {
        data = diffFlameData(before, profile, `CPU diff · ${title}`, diff.changes, {
          before: frameCategories(before, rules),
          after: frameCategories(profile, rules, refined),
        });
      } else data = flameData(profile, `CPU · ${title}`, frameCategories(profile, rules, refined));
      if (htmlOut) writeFileSync(htmlOut, flameHtml(data));
      if (svgOut) writeFileSync(svgOut, flameSvg(data));
    }
    if (exportFormat && out) exportProfile(profile, exportFormat, out);

    if (v.json) io.out(`${JSON.stringify(analysisJson(profile, analysis, diff), null, 2)}\n`);
    else {
      for (const w of profile.meta.warnings ?? []) io.err(`perfloop: warning: ${w}\n`);
      io.out(analysisText(analysis, `${title} (${profile.meta.format})`));
      if (diff) io.out(`\n${diffText(diff)}`);
      const wrote = [
        htmlOut && `flame graph: ${htmlOut}`,
        svgOut && `svg: ${svgOut}`,
        exportFormat && `${exportFormat}: ${out}`,
      ].filter(Boolean);
      if (wrote.length) io.out(`\nWrote ${wrote.join(', ')}\n`);
    }
    return EXIT.ok;
  },
};
