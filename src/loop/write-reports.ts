import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../core/profile.js';
import type { RunRecord } from '../core/run.js';
import { flameData } from '../profile/render/flame-data.js';
import { flameHtml } from '../profile/render/flame-html.js';
import { runMarkdown } from '../report/run-markdown.js';
import { runHtml } from '../report/run-html.js';
import { categoriser, nodeCategories } from '../profile/analyse/categories.js';

/** Writes report.json, report.md, report.html and (with a profile) flame.html into `outDir`; records them as artifacts. */
export function writeRunReports(outDir: string, record: RunRecord, profile: Profile | null): void {
  mkdirSync(outDir, { recursive: true });
  if (profile) {
    const cats = nodeCategories(profile, categoriser());
    const frameCat = new Map<number, string>();
    for (let n = 0; n < profile.nodeCount; n++)
      if (!frameCat.has(profile.nodeFrame[n])) frameCat.set(profile.nodeFrame[n], cats.of(n));
    const title = `CPU · ${record.run.label || record.run.target} · ${record.run.id}`;
    writeFileSync(
      join(outDir, 'flame.html'),
      flameHtml(flameData(profile, title, (f) => frameCat.get(f) ?? '')),
    );
    record.artifacts.flame = 'flame.html';
  }
  record.artifacts.report = 'report.md';
  record.artifacts['report-json'] = 'report.json';
  record.artifacts['report-html'] = 'report.html';
  writeFileSync(join(outDir, 'report.md'), runMarkdown(record));
  writeFileSync(join(outDir, 'report.html'), runHtml(record));
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(record, null, 2)}\n`);
}
