/**
 * The importer registry and dispatcher: a file's format is decided by its name first, then by its first bytes
 * (gzip is looked through), the way speedscope's importer does it. Adding a format is adding its file and one
 * line in IMPORTERS.
 */
import { basename } from 'node:path';
import { PerfloopError } from '../../core/errors.js';
import type { Profile } from '../../core/profile.js';
import { mergeProfiles } from '../transform/merge.js';
import { callgrindImporter } from './callgrind.js';
import { chromeTraceImporter } from './chrome-trace.js';
import { cpuprofileImporter } from './cpuprofile.js';
import { firefoxImporter } from './firefox.js';
import { foldedImporter } from './folded.js';
import { jfrImporter } from './jfr.js';
import { perfScriptImporter } from './perf-script.js';
import { pprofImporter } from './pprof.js';
import { likelyUnsupportedFormat, type LikelyFormat } from './likely-format.js';
import { decodeText, fileSource, head, type ProfileSource } from './source.js';
import { speedscopeImporter } from './speedscope.js';
import { stackprofImporter } from './stackprof.js';
import { traceEventImporter } from './trace-event.js';
import { v8LogImporter } from './v8-log.js';
import type { ImportOptions, ProfileImporter } from './types.js';

export type { ImportOptions, ProfileImporter } from './types.js';
export { bufferSource, fileSource, type ProfileSource, type ProgressCallback } from './source.js';

/** Content sniffing order matters: the specific JSON shapes before the generic text formats. */
export const IMPORTERS: readonly ProfileImporter[] = [
  speedscopeImporter,
  firefoxImporter,
  chromeTraceImporter,
  traceEventImporter,
  stackprofImporter,
  cpuprofileImporter,
  pprofImporter,
  jfrImporter,
  v8LogImporter,
  callgrindImporter,
  perfScriptImporter,
  foldedImporter,
];

export function importerByFormat(format: string): ProfileImporter {
  const imp = IMPORTERS.find((i) => i.format === format);
  if (!imp) {
    throw new PerfloopError('USAGE', `unknown profile format ${JSON.stringify(format)}`, {
      hint: `formats: ${IMPORTERS.map((i) => i.format).join(', ')}`,
    });
  }
  return imp;
}

function unsupported(src: ProfileSource, f: LikelyFormat): PerfloopError {
  return new PerfloopError(
    'PROFILE_UNSUPPORTED',
    `${src.name}: looks like a ${f.what}: not a format perfloop reads`,
    {
      hint: f.hint,
    },
  );
}

/**
 * The importer for `src`: formats perfloop does not read are recognised first (so an error names them), then
 * the file name decides, then the content.
 */
export async function detectImporter(src: ProfileSource): Promise<ProfileImporter> {
  const name = basename(src.name);
  const bytes = await head(src);
  const byName = IMPORTERS.find((i) => i.fileName?.test(name));
  if (bytes.length === 0) {
    if (byName) return byName; // it says what an empty file of its format lacks
    throw new PerfloopError('PROFILE_BAD_FORMAT', `${src.name}: the file is empty`);
  }
  const text = decodeText(bytes);
  const known = likelyUnsupportedFormat(bytes, text, true);
  if (known) throw unsupported(src, known);
  if (byName) return byName;
  const byContent = IMPORTERS.find((i) => i.sniff(bytes, text));
  if (byContent) return byContent;
  const likely = likelyUnsupportedFormat(bytes, text);
  if (likely) throw unsupported(src, likely);
  // JSON of no recognisable shape: the V8 importer says precisely where it stops making sense.
  if (/^\s*[{[]/.test(text)) return /^\s*\[/.test(text) ? chromeTraceImporter : cpuprofileImporter;
  const printable = [...text.slice(0, 200)].every(
    (c) => c === '\t' || c === '\n' || c === '\r' || (c >= ' ' && c <= '~'),
  );
  throw new PerfloopError(
    'PROFILE_BAD_FORMAT',
    `${src.name}: not a profile format perfloop reads (looked at the name and the first ${bytes.length} bytes${printable ? `: ${JSON.stringify(text.slice(0, 40))}` : ', binary'})`,
    { hint: `formats: ${IMPORTERS.map((i) => i.format).join(', ')} (gzipped or not)` },
  );
}

export async function importProfileSource(
  src: ProfileSource,
  options: ImportOptions & { format?: string } = {},
): Promise<Profile> {
  const importer = options.format ? importerByFormat(options.format) : await detectImporter(src);
  try {
    return await importer.importFrom(src, options);
  } catch (e) {
    if (e instanceof PerfloopError) throw e;
    if (e instanceof RangeError) {
      // Call stack or memory exhaustion on a hostile input: still one line naming the file and the format.
      throw new PerfloopError('PROFILE_BAD_FORMAT', `${src.name}: ${importer.format}: ${e.message}`, {
        cause: e,
      });
    }
    throw e;
  }
}

/** A profile file of any supported format. */
export function importProfileFile(
  path: string,
  options: ImportOptions & { format?: string } = {},
): Promise<Profile> {
  return importProfileSource(fileSource(path), options);
}

/** Several files as one profile (identical stacks merged), e.g. the profiles of every worker. */
export async function importProfileFiles(
  paths: readonly string[],
  options: ImportOptions & { format?: string } = {},
): Promise<Profile> {
  const profiles: Profile[] = [];
  for (const p of paths) profiles.push(await importProfileFile(p, options));
  if (profiles.length === 1) return profiles[0];
  const formats = [...new Set(profiles.map((p) => p.meta.format))];
  const warnings = profiles.flatMap((p, i) =>
    (p.meta.warnings ?? []).map((w) => `${basename(paths[i])}: ${w}`),
  );
  return mergeProfiles(profiles, {
    format: formats.join('+'),
    name: paths.map((p) => basename(p)).join(' + '),
    ...(warnings.length ? { warnings } : {}),
  });
}
