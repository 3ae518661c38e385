/**
 * The importers agree with the peers' own expected outputs over corpora/profiles (bench/conformance-profiles.ts):
 * FlameGraph's and inferno's collapsed perf results and speedscope's snapshots. Skips when the corpus is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceReport, runProfileConformance } from '../../bench/conformance-profiles.js';
import { profileCorpus } from '../../bench/conformance/corpus.js';

const corpus = profileCorpus();

test(
  'conformance: corpus files agree with the peers or differ deliberately, with a reason',
  { skip: corpus ? false : 'corpus not found (set PERFLOOP_CORPORA)' },
  async () => {
    const results = await runProfileConformance(corpus!);
    const report = conformanceReport(results);
    const perf = results.filter((r) => r.peer !== 'speedscope');
    assert.ok(perf.length >= 66, `${perf.length} perf comparisons`);
    assert.ok(
      perf.every((r) => r.agrees),
      report,
    );
    // Every format perfloop read before the trace-event importer: all agree or differ deliberately, with a reason.
    const settled = results.filter((r) => r.peer === 'speedscope' && !r.input.includes('/trace-event/'));
    assert.ok(settled.length >= 27, report);
    assert.ok(
      settled.every((r) => r.agrees || (r.deliberate && r.deliberate.length > 20)),
      report,
    );
    // Trace events: speedscope's edge cases (unbalanced or reordered B/E, Hermes's last sample) are not all
    // matched yet; this floor keeps what agrees from regressing (20 of 30 today).
    const trace = results.filter((r) => r.input.includes('/trace-event/'));
    assert.ok(trace.length >= 30 && trace.filter((r) => r.agrees).length >= 20, report);
  },
);
