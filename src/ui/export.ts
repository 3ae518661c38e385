import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { RunRecord } from '../core/run.js';
import { PerfloopError } from '../core/errors.js';
import { comparisonDocument } from '../gate/compare/compare-runs.js';
import { flameDiffHtml } from '../gate/flame-diff.js';
import { comparePage } from '../report/html/compare-page.js';
import { pageAssets, renderPage, type PageSpec } from '../report/html/layout.js';
import type { PageLinks } from '../report/html/links.js';
import { runPage } from '../report/html/run-page.js';
import { scenarioPage } from '../report/html/scenario-page.js';
import { verifiedArtifact, type ArtifactEntry } from '../store/artifacts.js';
import { UiData } from './data.js';

/** Artifacts larger than this stay out of an export (heap snapshots run to gigabytes; CI artifacts should not). */
export const MAX_EXPORTED_ARTIFACT_BYTES = 50 * 1024 * 1024;

export interface ExportResult {
  dir: string;
  index: string;
  files: string[];
  skipped: { name: string; reason: string }[];
}

const MODE = { kind: 'linked', base: 'assets/' } as const;

/**
 * `perfloop report RUN --html DIR`: the dashboard's pages for one run as a folder that opens without a server or
 * network (a CI artifact) — index.html (the Run page), scenario.html (its scenario's trends), compare.html (against
 * the run before it in the scenario, with the differential flame graph), the bundled assets and the run's
 * artifacts up to MAX_EXPORTED_ARTIFACT_BYTES each. The same renderers as `perfloop ui`.
 */
export async function exportRun(storePath: string, ref: string, outDir: string): Promise<ExportResult> {
  const data = await UiData.open(storePath);
  try {
    const run = await data.run(ref);
    if (!run) throw new PerfloopError('RUN_NOT_FOUND', `no stored run ${ref} in ${data.path}`, { hint: 'perfloop runs lists them' });
    const history = (await data.records({ scenarioId: run.run.scenario.id, to: run.run.startedAt, limit: 100 })).filter(
      (r) => r.run.startedAt < run.run.startedAt || r.run.id === run.run.id,
    );
    const previous = history.filter((r) => r.run.id !== run.run.id).at(-1);
    return await writeExport(resolve(outDir), run, previous, history, await data.artifacts(run.run.id), previous ? await data.artifacts(previous.run.id) : {});
  } finally {
    await data.close();
  }
}

async function writeExport(
  dir: string,
  run: RunRecord,
  previous: RunRecord | undefined,
  history: RunRecord[],
  artifacts: Record<string, ArtifactEntry>,
  previousArtifacts: Record<string, ArtifactEntry>,
): Promise<ExportResult> {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  const files: string[] = [];
  const skipped: ExportResult['skipped'] = [];
  const write = (rel: string, content: string) => {
    writeFileSync(join(dir, rel), content);
    files.push(rel);
  };
  for (const [name, content] of Object.entries(pageAssets())) write(`assets/${name}`, content);

  const copied = new Map<string, string>();
  for (const [name, entry] of Object.entries(artifacts)) {
    try {
      const path = verifiedArtifact(run.run.id, name, entry);
      if (statSync(path).size > MAX_EXPORTED_ARTIFACT_BYTES) {
        skipped.push({ name, reason: `${Math.round(entry.bytes / 1048576)} MB, over the export's limit` });
        continue;
      }
      // Named by the artifact's key, not by anything in its path: no two artifacts can collide or escape.
      const rel = `artifacts/${name.replace(/[^\w.-]/g, '_')}${basename(path).match(/\.[\w]+$/)?.[0] ?? ''}`;
      copyFileSync(path, join(dir, rel));
      files.push(rel);
      copied.set(name, rel);
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message });
    }
  }

  let flameDiff: string | null = null;
  if (previous && artifacts.profile && previousArtifacts.profile) {
    try {
      const before = verifiedArtifact(previous.run.id, 'profile', previousArtifacts.profile);
      const after = verifiedArtifact(run.run.id, 'profile', artifacts.profile);
      write('flame-diff.html', (await flameDiffHtml(before, after, `${previous.run.id} → ${run.run.id}`)).html);
      flameDiff = 'flame-diff.html';
    } catch (e) {
      skipped.push({ name: 'flame-diff', reason: (e as Error).message });
    }
  }

  const links: PageLinks = {
    root: null,
    run: (id) => (id === run.run.id ? 'index.html' : null),
    scenario: (id) => (id === run.run.scenario.id ? 'scenario.html' : null),
    compare: (a, b) => (previous && a === previous.run.id && b === run.run.id ? 'compare.html' : null),
    artifact: (id, name) => (id === run.run.id ? (copied.get(name) ?? null) : null),
    flameDiff: () => flameDiff,
    live: null,
  };
  const nav = [
    '<a href="index.html">Run</a>',
    '<a href="scenario.html">Scenario</a>',
    previous ? '<a href="compare.html">Compare with previous</a>' : '',
  ].join('');
  const page = (rel: string, spec: PageSpec) => write(rel, renderPage({ ...spec, nav }, MODE));
  page('index.html', runPage(run, links));
  page('scenario.html', scenarioPage({ id: run.run.scenario.id, description: run.run.scenario.name ?? run.run.scenario.description }, history, links));
  if (previous) {
    const doc = comparisonDocument({ runs: [previous], source: `run ${previous.run.id}` }, { runs: [run], source: `run ${run.run.id}` });
    page('compare.html', comparePage(previous, run, doc, links));
  }
  if (skipped.length)
    write('SKIPPED.txt', `${skipped.map((s) => `${s.name}: ${s.reason}`).join('\n')}\n`);
  return { dir, index: join(dir, 'index.html'), files, skipped };
}
