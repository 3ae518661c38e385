/**
 * Profile importers' conformance with the peers' own expected outputs over `corpora/profiles` (see its README):
 * FlameGraph's and inferno's collapsed results for perf script (conformance/perf-collapsed.ts) and speedscope's
 * Jest snapshots for every format perfloop reads (conformance/speedscope-snapshots.ts). Prints a summary table
 * and every disagreement with its reason; the deliberate differences are listed in those two files.
 *
 *   npx tsc -p . && node dist/bench/conformance-profiles.js [--verbose]
 *
 * Exit 0 when every compared file agrees, 1 when one does not; skips (exit 0) when the corpus is absent.
 */
import { profileCorpus } from './conformance/corpus.js';
import { perfConformance, type Comparison } from './conformance/perf-collapsed.js';
import { speedscopeConformance } from './conformance/speedscope-snapshots.js';

export async function runProfileConformance(corpus: string): Promise<Comparison[]> {
  return [...(await perfConformance(corpus)), ...(await speedscopeConformance(corpus))];
}

export function conformanceReport(results: readonly Comparison[], verbose = false): string {
  const lines: string[] = [];
  const byPeer = new Map<string, Comparison[]>();
  for (const r of results) byPeer.set(r.peer, [...(byPeer.get(r.peer) ?? []), r]);
  lines.push('peer                 compared  agree  deliberate  disagree');
  for (const [peer, rs] of byPeer) {
    const deliberate = rs.filter((r) => !r.agrees && r.deliberate).length;
    const agree = rs.filter((r) => r.agrees).length;
    lines.push(
      `${peer.padEnd(20)} ${String(rs.length).padStart(8)} ${String(agree).padStart(6)} ${String(deliberate).padStart(11)} ${String(rs.length - agree - deliberate).padStart(9)}`,
    );
  }
  for (const r of results) {
    if (r.agrees && !verbose) continue;
    const head = `${r.agrees ? 'agree' : r.deliberate ? 'DELIBERATE' : 'DISAGREE'}  ${r.peer} ${r.input} [${r.variant}]: ${r.matched}/${r.stacks} stacks, weight ${round(r.weightOurs)} vs ${round(r.weightPeer)}`;
    lines.push(head);
    if (r.deliberate) lines.push(`    why: ${r.deliberate}`);
    for (const reason of r.reasons.slice(0, verbose ? 50 : 6)) lines.push(`    ${reason}`);
    if (r.reasons.length > (verbose ? 50 : 6)) lines.push(`    … ${r.reasons.length - 6} more`);
  }
  return `${lines.join('\n')}\n`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<number> {
  const corpus = profileCorpus();
  if (!corpus) {
    process.stdout.write('conformance-profiles: corpus not found (set PERFLOOP_CORPORA); skipped\n');
    return 0;
  }
  const results = await runProfileConformance(corpus);
  process.stdout.write(conformanceReport(results, process.argv.includes('--verbose')));
  return results.every((r) => r.agrees || r.deliberate) ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`conformance-profiles: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
