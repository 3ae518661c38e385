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
  'conformance: every corpus file agrees with the peers or differs deliberately, with a reason',
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
    assert.ok(
      results.every((r) => r.agrees || (r.deliberate && r.deliberate.length > 20)),
      report,
    );
    assert.ok(results.filter((r) => r.peer === 'speedscope').length >= 24, report);
  },
);
