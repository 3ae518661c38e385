import { closeSync, openSync, writeSync } from 'node:fs';
import { PerfloopError } from '../../core/errors.js';
import type { Profile } from '../../core/profile.js';
import { cpuprofileChunks } from './cpuprofile.js';
import { foldedChunks } from './folded.js';
import { speedscopeChunks } from './speedscope.js';

/** Export formats by name: each yields the file in chunks. Adding one is adding its file and one line here. */
export const EXPORTERS: Record<string, (p: Profile) => Iterable<string>> = {
  speedscope: (p) => speedscopeChunks(p),
  folded: (p) => foldedChunks(p),
  cpuprofile: (p) => cpuprofileChunks(p),
};

export function exportProfile(p: Profile, format: string, outPath: string): void {
  const exporter = EXPORTERS[format];
  if (!exporter)
    throw new PerfloopError('USAGE', `--export: unknown format ${JSON.stringify(format)}`, {
      hint: `formats: ${Object.keys(EXPORTERS).join(', ')}`,
    });
  const fd = openSync(outPath, 'w');
  try {
    for (const chunk of exporter(p)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/** The exported file as one string (tests, small profiles). */
export function exportToString(p: Profile, format: string): string {
  const exporter = EXPORTERS[format];
  if (!exporter) throw new PerfloopError('USAGE', `unknown export format ${JSON.stringify(format)}`);
  return [...exporter(p)].join('');
}
