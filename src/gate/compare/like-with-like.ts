import type { MachineFingerprint, RunRecord } from '../../core/run.js';
import { scenarioDifferences } from '../../load/scenario-fingerprint.js';

/**
 * Warnings when the two sides were not measured alike: another CPU, core count or Node version makes a
 * latency change meaningless, and a different target or request mix compares two different things.
 */
const FIELDS: [keyof MachineFingerprint, string][] = [
  ['cpuModel', 'CPU'],
  ['cores', 'cores'],
  ['nodeVersion', 'Node'],
  ['memoryGb', 'memory GB'],
];

const known = (m: MachineFingerprint | undefined) => !!m && m.cpuModel !== 'unknown' && m.cores > 0;
const distinct = (xs: readonly string[]) => [...new Set(xs)];

export function likeWithLikeWarnings(before: readonly RunRecord[], after: readonly RunRecord[]): string[] {
  const out: string[] = [];
  const all = [...before, ...after];
  const unknown = all.filter((r) => !known(r.run.machine));
  if (unknown.length > 0)
    out.push(
      `Machine fingerprint unknown for ${unknown.map((r) => r.run.id).join(', ')}: cannot check that both sides ran on the same kind of machine.`,
    );
  const kb = before.filter((r) => known(r.run.machine));
  const ka = after.filter((r) => known(r.run.machine));
  if (kb.length > 0 && ka.length > 0) {
    const diffs = FIELDS.flatMap(([k, name]) => {
      const b = distinct(kb.map((r) => String(r.run.machine[k])));
      const a = distinct(ka.map((r) => String(r.run.machine[k])));
      return b.join() === a.join() ? [] : [`${name} ${b.join(' / ')} → ${a.join(' / ')}`];
    });
    if (diffs.length > 0)
      out.push(
        `Baseline and candidate ran on different machines (${diffs.join('; ')}): a difference may be the machine, not the code.`,
      );
  }
  // The target command is what an iteration changes: not a warning. A different load is.
  const scenarios = (rs: readonly RunRecord[]) => [...new Map(rs.map((r) => [r.run.scenario.id, r.run.scenario])).values()];
  const [sb, sa] = [scenarios(before), scenarios(after)];
  if (sb.length === 1 && sa.length === 1 && sb[0].id !== sa[0].id)
    out.push(
      `DIFFERENT SCENARIOS — these runs applied different loads, so the comparison is not like with like: ${scenarioDifferences(sb[0], sa[0]).join('; ')}.`,
    );
  else if (sb.length + sa.length > 2 && new Set([...sb, ...sa].map((s) => s.id)).size > 1)
    out.push(`DIFFERENT SCENARIOS among the pooled runs: ${[...sb, ...sa].map((s) => s.description).join(' / ')}.`);
  const vus = [
    distinct(before.map((r) => String(r.measurement?.vus ?? ''))),
    distinct(after.map((r) => String(r.measurement?.vus ?? ''))),
  ];
  if (vus[0].join() !== vus[1].join() && !vus.flat().includes('0') && !vus.flat().includes(''))
    out.push(
      `Different load: ${vus[0].join(' / ')} → ${vus[1].join(' / ')} VUs; throughput and latency depend on it.`,
    );
  return out;
}
