import { writeFileSync } from 'node:fs';
import type { FunctionChange } from '../profile/diff/diff.js';
import { diffProfiles } from '../profile/diff/diff.js';
import { importProfileFile } from '../profile/import/index.js';
import { diffFlameData, frameCategories } from '../profile/render/flame-data.js';
import { flameHtml } from '../profile/render/flame-html.js';

/**
 * The differential flame graph of a baseline and a candidate profile (red where a function grew, blue where
 * it shrank), written as one HTML file — the picture a PR comment links to when a regression needs a cause.
 */
export async function writeFlameDiff(
  beforePath: string,
  afterPath: string,
  outPath: string,
  title: string,
): Promise<FunctionChange[]> {
  const { html, changes } = await flameDiffHtml(beforePath, afterPath, title);
  writeFileSync(outPath, html);
  return changes;
}

/** The differential flame graph page of two profile files, and the largest function changes. */
export async function flameDiffHtml(
  beforePath: string,
  afterPath: string,
  title: string,
): Promise<{ html: string; changes: FunctionChange[] }> {
  const before = await importProfileFile(beforePath);
  const after = await importProfileFile(afterPath);
  const diff = diffProfiles(before, after, 10);
  const data = diffFlameData(before, after, `CPU diff · ${title}`, diff.changes, {
    before: frameCategories(before),
    after: frameCategories(after),
  });
  return { html: flameHtml(data), changes: diff.changes };
}
