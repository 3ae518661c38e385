/**
 * Where the profile corpus is: `$PERFLOOP_CORPORA` (absolute, or relative to the repo root) or `../shared/corpora`
 * beside the repository, `profiles/` inside it. Never copied into the repository.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/bench/conformance/ or bench/conformance/. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** The profiles corpus folder, or undefined when it is not there. */
export function profileCorpus(): string | undefined {
  const base = resolve(repoRoot, process.env.PERFLOOP_CORPORA ?? '../shared/corpora');
  const dir = join(base, 'profiles');
  return existsSync(join(dir, 'sources.tsv')) ? dir : undefined;
}
