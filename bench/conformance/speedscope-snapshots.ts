/**
 * Conformance with speedscope's Jest snapshots (`speedscope/src/import/__snapshots__/*.snap`, `src/lib/…`):
 * for every sample file of a format perfloop reads, the profile speedscope builds — frames with self and total
 * weights — against perfloop's import of the same file. Speedscope makes one profile per thread; perfloop merges
 * a file's threads into one, so speedscope's profiles of a file are summed by frame name first. Compared: every
 * frame speedscope has with weight is there, each frame's self weight as a share of the total agrees within
 * 0.5 points, the totals within 0.5 %, and the five heaviest frames by self weight are the same.
 *
 * Deliberate differences (the runner says which comparison they affect):
 *  - perf script: speedscope weighs a sample by the time to the next sample of its thread (the last sample of a
 *    thread by nothing); perfloop counts samples or periods, as perf report, FlameGraph and inferno do (whose
 *    results it agrees with, perf-collapsed.ts). Frame names and stacks are compared, weights are not.
 *  - perf script names: speedscope keeps them mangled (`_Z5gammav`), perfloop demangles (`gamma`); speedscope's
 *    `??? (module)` for `[unknown]` is `[module]` in perfloop, as in FlameGraph. The runner maps speedscope's
 *    names through the same demangler before comparing.
 *  - perfloop adds the process name as the root of perf stacks (speedscope makes it the profile's name).
 *  - V8 `(idle)` is a frame in perfloop, reported apart from work; speedscope drops it: left out of the comparison.
 *  - an anonymous V8 function is `(anonymous)` with its file and line in perfloop, one string
 *    `(anonymous file.js:93)` in speedscope: the runner writes perfloop's the same way.
 *  - .cpuprofile: perfloop charges the last sample up to the profile's endTime (the profiler was on that frame
 *    until it stopped), speedscope charges it nothing: the totals differ by that one sample, which the runner
 *    allows; the shares still have to agree.
 *  - speedscope files in seconds or milliseconds are read into microseconds: totals compared after converting.
 *  - Chrome traces: the same last-sample rule per thread (the totals and the shares of the frame that was last
 *    differ by a few ms); V8's `(anonymous native dummy.js)` placeholder is kept; Chrome 141's samples of nodes
 *    that are not in the file are left out with a warning (speedscope charges them somewhere unknown). Accepted as
 *    deliberate when every frame of speedscope's is there and the totals are within 5 %.
 *  - sampled trace events (Hermes `samples`): the last sample of a thread gets the interval before it, speedscope
 *    nothing; checked exactly (those weights taken out, everything agrees).
 *  - an end event that closes nothing still advances the clock (DELIBERATE_FILES says where that shows).
 *  - Firefox/Gecko: speedscope keeps only JS frames of the form `name (url:line)` outside Firefox's own code
 *    (`resource://`, `self-hosted`) and drops Gecko's C++ label frames (`js::RunScript`, `PresShell::DoReflow`) and
 *    script top levels; perfloop keeps them all (the engine's time is real time the page caused, categorised
 *    "browser engine"), and gives the last sample the sampling interval. Deliberate when the same filter applied to
 *    perfloop's profile, without the last sample, makes every frame, share and total agree (firefoxJsView).
 *  - JFR: `Class:method` in speedscope is `Class.method` in perfloop; compared only where the JDK's jfr is installed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../src/core/profile.js';
import { unitFactor } from '../../src/profile/transform/merge.js';
import { frameWeights } from '../../src/profile/analyse/weights.js';
import { importProfileFile } from '../../src/profile/import/index.js';
import { findJfrTool } from '../../src/profile/import/jfr.js';
import { perfFrames } from '../../src/profile/import/perf-symbol.js';
import type { Comparison } from './perf-collapsed.js';

interface SnapshotFrame {
  name: string;
  self: number;
  total: number;
}

/** `exports[\`KEY\`] = \`BODY\`;` entries of a Jest snapshot file. */
export function readSnapshots(path: string): Map<string, string> {
  const text = readFileSync(path, 'utf8');
  const out = new Map<string, string>();
  const re = /^exports\[`(.+?)`\] = `([\s\S]*?)`;$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.set(m[1], m[2]);
  return out;
}

export function snapshotFrames(body: string): SnapshotFrame[] {
  const out: SnapshotFrame[] = [];
  const re =
    // Jest does not escape quotes inside the snapshot's strings (`"name": "A {"x":1}",`): a name runs to the line's end.
    /Frame \{[\s\S]*?"name": "(.*)",\n\s*"selfWeight": ([-\d.e+]+),\s*"totalWeight": ([-\d.e+]+),\s*\}/g;
  for (let m = re.exec(body); m; m = re.exec(body))
    out.push({ name: m[1], self: Number(m[2]), total: Number(m[3]) });
  return out;
}

interface Case {
  file: string;
  snap: string;
  keys: string[];
  perf?: boolean;
  /** speedscope names a Java frame `Class:method`, perfloop `Class.method` as Java does. */
  java?: boolean;
  /** speedscope keeps only the page's JS frames of a Gecko profile (see firefoxJsView). */
  firefox?: boolean;
}

const S = 'import/__snapshots__';
const CASES: Case[] = [
  {
    file: 'Chrome/65/simple.cpuprofile',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromChromeCPUProfile 1'],
  },
  {
    file: 'Chrome/65/simple-timeline.json',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromChromeTimeline 1'],
  },
  {
    file: 'Chrome/69/simple.json',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromChromeTimeline Chrome 69 1'],
  },
  {
    file: 'Chrome/116/Trace-20230603T221323.json',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromChromeTimeline Chrome 116 1'],
  },
  {
    file: 'Chrome/66/worker.json',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromChromeTimeline Workers Chrome 66 1', 'importFromChromeTimeline Workers Chrome 66 2'],
  },
  {
    file: 'Chrome/70/worker.json',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromChromeTimeline Workers Chrome 70 1', 'importFromChromeTimeline Workers Chrome 70 2'],
  },
  {
    file: 'Chrome/141/no-arg-data.json',
    snap: `${S}/chrome.test.ts.snap`,
    keys: [
      'importTraceEvents Chrome 141 profile with missing arg data 1',
      'importTraceEvents Chrome 141 profile with missing arg data 2',
    ],
  },
  {
    file: 'node/10.11.0/example.cpuprofile',
    snap: `${S}/chrome.test.ts.snap`,
    keys: ['importFromV8Profiler Node 10 1'],
  },
  {
    file: 'stackcollapse/simple.txt',
    snap: `${S}/bg-flamegraph.test.ts.snap`,
    keys: ['importFromBGFlameGraph 1'],
  },
  {
    file: 'stackcollapse/simple-crlf.txt',
    snap: `${S}/bg-flamegraph.test.ts.snap`,
    keys: ['importFromBGFlameGraph with CRLF 1'],
  },
  {
    file: 'stackcollapse/simple-utf16-be.txt',
    snap: `${S}/bg-flamegraph.test.ts.snap`,
    keys: ['importFromBGFlameGraph with UTF-16, Big Endian 1'],
  },
  {
    file: 'stackcollapse/simple-utf16-le.txt',
    snap: `${S}/bg-flamegraph.test.ts.snap`,
    keys: ['importFromBGFlameGraph with UTF-16, Little Endian 1'],
  },
  {
    file: 'stackcollapse/simple-with-invalids.txt',
    snap: `${S}/bg-flamegraph.test.ts.snap`,
    keys: ['importFromBGFlameGraph with invalid lines 1'],
  },
  { file: 'pprof/simple.prof', snap: `${S}/pprof.test.ts.snap`, keys: ['importAsPprofProfile 1'] },
  {
    file: 'speedscope/0.0.1/simple.speedscope.json',
    snap: 'lib/__snapshots__/file-format.test.ts.snap',
    keys: ['importSpeedscopeProfiles 0.0.1 evented profile 1'],
  },
  {
    file: 'speedscope/0.0.1/simple-no-pretty-print.speedscope.json',
    snap: 'lib/__snapshots__/file-format.test.ts.snap',
    keys: ['importSpeedscopeProfiles 0.0.1 evented profile (no pretty print) 1'],
  },
  {
    file: 'speedscope/0.1.2/simple-sampled.speedscope.json',
    snap: 'lib/__snapshots__/file-format.test.ts.snap',
    keys: ['importSpeedscopeProfiles 0.1.2 sampled profile 1'],
  },
  {
    file: 'speedscope/0.6.0/two-sampled.speedscope.json',
    snap: 'lib/__snapshots__/file-format.test.ts.snap',
    keys: [
      'importSpeedscopeProfiles 0.6.0 multiple profiles 1',
      'importSpeedscopeProfiles 0.6.0 multiple profiles 2',
    ],
  },
  ...(
    [
      ['simple-stackprof.json', 'importFromStackprof 1'],
      ['object-stackprof.json', 'importFromStackprof object mode 1'],
      ['stackprof-last-frame-no-name.json', 'importFromStackprof when a profile has a frame with no name 1'],
      [
        'simple-cpu-stackprof.json',
        'importCpuProfileWithProperWeights importFromStackprof cpu mode snapshot 1',
      ],
    ] as const
  ).map(([file, key]) => ({ file: `stackprof/${file}`, snap: `${S}/stackprof.test.ts.snap`, keys: [key] })),
  ...(
    [
      ['callgrind.example.log', ['importFromCallgrind 1']],
      ['callgrind.cfn-reset.log', ['importFromCallgrind cfn reset 1']],
      ['callgrind.name-compression.log', ['importFromCallgrind name compression 1']],
      ['callgrind.subposition-compression.log', ['importFromCallgrind subposition compression 1']],
      // xdebug: the first event (Time_(10ns)), speedscope's first profile.
      ['callgrind.multiple-event-types.log', ['importFromCallgrind multiple event types 1']],
    ] as const
  ).map(([file, keys]) => ({
    file: `callgrind/${file}`,
    snap: `${S}/callgrind.test.ts.snap`,
    keys: [...keys],
  })),
  // The execution samples ("Without native calls"); read through the JDK's jfr tool, compared only where it is.
  ...(findJfrTool()
    ? [
        {
          file: 'java-flight-recorder/heavy.jfr',
          snap: `${S}/java-flight-recorder.test.ts.snap`,
          keys: ['importFromJfr 1'],
          java: true,
        },
      ]
    : []),
  ...(
    [
      ['forks', 4],
      ['one-sample', 1],
      ['simple', 1],
      ['simple-with-header', 1],
      ['system-wide', 2],
    ] as const
  ).map(([name, n]) => ({
    file: `linux-perf/${name}.linux-perf.txt`,
    snap: `${S}/linux-tools-perf.test.ts.snap`,
    keys: Array.from({ length: n }, (_, i) => `importFromLinuxPerf ${name}.linux-perf.txt ${i + 1}`),
    perf: true,
  })),
  ...(
    [
      ['59/simple-firefox.json', 'importFromFirefox 1'],
      ['63/simple-firefox.json', 'importFromFirefox ignore self-hosted 1'],
      ['61/recursion.json', 'importFromFirefox recursion 1'],
    ] as const
  ).map(([file, key]) => ({
    file: `Firefox/${file}`,
    snap: `${S}/firefox.test.ts.snap`,
    keys: [key],
    firefox: true,
  })),
  {
    file: 'linux-perf/simple-with-pid.linux-perf.txt',
    snap: `${S}/linux-tools-perf.test.ts.snap`,
    keys: ['importFromLinuxPerf simple-with-pids.linux-perf.txt 1'],
    perf: true,
  },
];

/** Hermes's sampled frames, `fn(url:line:col)`: perfloop keeps the function as the name, the rest as location. */
const HERMES_SAMPLE_NAME = /^(.+)\(.*:\d+:\d+\)$/;

/**
 * Cases of a snapshot file whose tests name their input in `<test>: profileGroup.name` (speedscope's trace-event
 * tests do): each test's profiles `<test> 1`, `<test> 2`, … against that file. Chunked re-reads of a file are
 * left out (the same file, read in pieces by speedscope's own loader).
 */
function snapshotCases(root: string, snapPath: string, folder: string): Case[] {
  const snap = readSnapshots(join(root, 'src', snapPath));
  const out: Case[] = [];
  for (const [key, body] of snap) {
    const m = /^(.*): profileGroup\.name 1$/.exec(key);
    if (!m || m[1].includes('chunked')) continue;
    // The group's name is the file the test read: speedscope's "hermes profile with multiple frames" test reads
    // simple-hermes.json (hermes-multiple-frames.json has no snapshot of its own).
    const file = JSON.parse(body);
    const keys = [...snap.keys()].filter(
      (k) => k.startsWith(`${m[1]} `) && /^\d+$/.test(k.slice(m[1].length + 1)),
    );
    if (keys.length) out.push({ file: `${folder}/${file}`, snap: snapPath, keys });
  }
  return out;
}

/** speedscope's perf frame name in perfloop's naming (see the deliberate differences above). */
function perfName(name: string): string {
  const unknown = /^\?\?\? \((.*)\)$/.exec(name);
  if (unknown) return unknown[1] === '[unknown]' ? '[unknown]' : `[${unknown[1].replace(/.*\//, '')}]`;
  return (
    perfFrames(name, '')
      .map((f) => f.name)
      .join(';') || name
  );
}

/** Self weight by frame name; perf roots (the process) left out, as speedscope has them as profile names. */
function ourSelf(p: Profile): Map<string, number> {
  const w = frameWeights(p);
  const out = new Map<string, number>();
  p.frames.forEach((f, i) => {
    if (f.kind === 'root' && p.meta.format === 'perf-script') return;
    if (f.kind === 'idle') return;
    const name =
      f.name === '(anonymous)' && f.file && f.line !== undefined
        ? `(anonymous ${f.file.replace(/.*\//, '')}:${f.line})`
        : f.name;
    if (w.self[i] > 0 || w.total[i] > 0) out.set(name, (out.get(name) ?? 0) + w.self[i]);
  });
  return out;
}

/** The weight of the profile's last sample in time, which perfloop runs to endTime (see above). */
function lastSampleWeight(p: Profile): number {
  if (!p.sampleTime || p.sampleCount === 0) return 0;
  let last = 0;
  for (let i = 1; i < p.sampleCount; i++) if (p.sampleTime[i] >= p.sampleTime[last]) last = i;
  return p.sampleWeight[last];
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);

function top5(m: Map<string, number>): string[] {
  const sorted = [...m].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const cut = sorted[Math.min(4, sorted.length - 1)]?.[1] ?? 0;
  return sorted
    .filter(([, v]) => v >= cut * (1 - 1e-9))
    .map(([k]) => k)
    .sort();
}

/**
 * Self weight by frame name of perfloop's Firefox import seen as speedscope sees it: each stack filtered to the
 * page's JS frames (a file, not `resource://` or `self-hosted`, not a script's top level), the last sample left out.
 */
function firefoxJsView(p: Profile): Map<string, number> {
  const keep = p.frames.map(
    (f) =>
      f.kind === 'code' &&
      !!f.file &&
      f.name !== '(top-level)' &&
      !f.file.startsWith('resource:') &&
      f.file !== 'self-hosted',
  );
  let last = -1;
  if (p.sampleTime)
    for (let i = 0; i < p.sampleCount; i++) if (last < 0 || p.sampleTime[i] >= p.sampleTime[last]) last = i;
  const out = new Map<string, number>();
  for (let i = 0; i < p.sampleCount; i++) {
    if (i === last) continue;
    let leaf = -1;
    for (let n = p.sampleNode[i]; n >= 0 && leaf < 0; n = p.nodeParent[n])
      if (keep[p.nodeFrame[n]]) leaf = p.nodeFrame[n];
    if (leaf < 0) continue;
    const name = p.frames[leaf].name;
    out.set(name, (out.get(name) ?? 0) + p.sampleWeight[i]);
  }
  return out;
}

/** Differences of one file, each with the reason a user would agree with. */
const DELIBERATE_FILES: Record<string, string> = {
  'trace-event/mismatched-name.json':
    'B alpha at 0, then E beta at 10 (no such frame open): both ignore the E; perfloop still counts the time it says passed, so alpha was open for 10 µs, while speedscope stops the clock at its last event used and charges alpha nothing',
};

interface FrameComparison {
  reasons: string[];
  matched: number;
  totalOurs: number;
  totalPeer: number;
  top5Same: boolean;
}

/** Every speedscope frame present with the same share of the total, the same top 5, totals within 0.5 %. */
function compareFrames(
  ours: Map<string, number>,
  peer: Map<string, number>,
  peerAll: Set<string>,
  o: { scale: number; slack: number; perf: boolean },
): FrameComparison {
  const reasons: string[] = [];
  const totalOurs = sum(ours);
  const totalPeer = sum(peer) * o.scale;
  let matched = 0;
  for (const [name, v] of peer) {
    if (!ours.has(name)) {
      if (v > 0) reasons.push(`frame ${name} (self ${v}) missing`);
      continue;
    }
    const a = (100 * (ours.get(name) ?? 0)) / (totalOurs || 1);
    const b = (100 * v * o.scale) / (totalPeer || 1);
    if (!o.perf && Math.abs(a - b) > 0.5)
      reasons.push(`frame ${name}: self ${a.toFixed(2)}% vs ${b.toFixed(2)}%`);
    else matched++;
  }
  for (const [name, v] of ours)
    if (!peerAll.has(name) && v > 0) reasons.push(`extra frame ${name} (self ${v})`);
  const a = top5(ours);
  const b = top5(peer);
  const top5Same = a.join('\n') === b.join('\n');
  if (!top5Same && !o.perf) reasons.push(`top frames ${a.join(', ')} vs ${b.join(', ')}`);
  const totalsClose = Math.abs(totalOurs - totalPeer) <= 0.005 * Math.max(1e-9, totalPeer) + o.slack;
  if (!totalsClose && !o.perf) reasons.push(`total ${totalOurs} vs ${totalPeer}`);
  return { reasons, matched, totalOurs, totalPeer, top5Same };
}

/**
 * The leaf frame and weight perfloop gives the last sample of each thread of a sampled trace (`samples` +
 * `stackFrames`): the time since the thread's sample before it. Read from the file itself, independently of the
 * importer.
 */
function lastSamplesOf(path: string): [string, number][] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as {
    samples: { ts: string | number; sf: string | number; pid?: unknown; tid?: unknown }[];
    stackFrames: Record<string, { name?: string }>;
  };
  const byThread = new Map<string, number[][]>();
  for (const s of doc.samples) {
    const key = `${String(s.pid ?? 0)}:${String(s.tid ?? 0)}`;
    const list = byThread.get(key) ?? [];
    list.push([Number(s.ts), Number(s.sf)]);
    byThread.set(key, list);
  }
  const out: [string, number][] = [];
  for (const list of byThread.values()) {
    if (list.length < 2) continue;
    list.sort((x, y) => x[0] - y[0]);
    const [ts, sf] = list[list.length - 1];
    const raw = doc.stackFrames[String(sf)]?.name ?? '';
    out.push([HERMES_SAMPLE_NAME.exec(raw)?.[1] ?? raw, ts - list[list.length - 2][0]]);
  }
  return out;
}

export async function speedscopeConformance(corpus: string): Promise<Comparison[]> {
  const root = join(corpus, 'speedscope');
  const snaps = new Map<string, Map<string, string>>();
  const out: Comparison[] = [];
  for (const c of [...CASES, ...snapshotCases(root, `${S}/trace-event.test.ts.snap`, 'trace-event')]) {
    let snap = snaps.get(c.snap);
    if (!snap) snaps.set(c.snap, (snap = readSnapshots(join(root, 'src', c.snap))));
    const peer = new Map<string, number>();
    const peerAll = new Set<string>();
    for (const key of c.keys) {
      const body = snap.get(key);
      if (body === undefined) throw new Error(`${c.snap}: no snapshot ${key}`);
      for (const f of snapshotFrames(body)) {
        const name = c.perf
          ? perfName(f.name)
          : c.java
            ? f.name.replace(/:([^:]*)$/, '.$1')
            : (HERMES_SAMPLE_NAME.exec(f.name)?.[1] ?? f.name);
        peerAll.add(name);
        peer.set(name, (peer.get(name) ?? 0) + f.self);
      }
    }
    const reasons: string[] = [];
    let ours = new Map<string, number>();
    let slack = 0;
    let chrome = false;
    let sampledTrace = false;
    let firefoxView: Map<string, number> | undefined;
    let scale = 1;
    try {
      const p = await importProfileFile(join(root, 'sample/profiles', c.file));
      ours = ourSelf(p);
      slack = p.meta.format === 'cpuprofile' ? lastSampleWeight(p) : 0;
      if (p.meta.format === 'speedscope') {
        const text = readFileSync(join(root, 'sample/profiles', c.file), 'utf8');
        const unit = /"unit"\s*:\s*"(\w+)"/.exec(text)?.[1];
        const fileNs = { seconds: 1e9, milliseconds: 1e6, microseconds: 1e3, nanoseconds: 1 }[unit ?? ''];
        const oursNs = unitFactor(p.unit, 'ns');
        scale = fileNs && oursNs ? fileNs / oursNs : 1;
      }
      if (c.firefox) {
        firefoxView = firefoxJsView(p);
        scale = 1000; // speedscope's Gecko import is in ms, perfloop's in µs
      }
      chrome = p.meta.format === 'chrome-trace';
      sampledTrace =
        p.meta.format === 'trace-event' &&
        /"stackFrames"\s*:/.test(readFileSync(join(root, 'sample/profiles', c.file), 'utf8'));
    } catch (e) {
      reasons.push(`perfloop refused it: ${(e as Error).message}`);
    }
    const cmp = compareFrames(ours, peer, peerAll, { scale, slack, perf: !!c.perf });
    reasons.push(...cmp.reasons);
    const { totalOurs, totalPeer, matched, top5Same } = cmp;
    // Sampled trace events: perfloop gives a thread's last sample the interval before it, speedscope nothing.
    // Deliberate when taking exactly those weights out makes every comparison agree.
    let lastSampleRule = false;
    if (reasons.length > 0 && sampledTrace) {
      const without = new Map(ours);
      for (const [frame, w] of lastSamplesOf(join(root, 'sample/profiles', c.file)))
        without.set(frame, (without.get(frame) ?? 0) - w);
      lastSampleRule =
        compareFrames(without, peer, peerAll, { scale, slack, perf: false }).reasons.length === 0;
    }
    const firefoxRule =
      reasons.length > 0 &&
      !!firefoxView &&
      compareFrames(firefoxView, peer, peerAll, { scale, slack, perf: false }).reasons.length === 0;
    const deliberateByFile = DELIBERATE_FILES[c.file];
    const onlyLastSampleEffects =
      chrome &&
      reasons.length > 0 &&
      reasons.every(
        (r) => !r.includes(' missing') && (!r.startsWith('extra') || r.includes('native dummy.js')),
      ) &&
      Math.abs(totalOurs - totalPeer) <= 0.05 * totalPeer;
    out.push({
      peer: 'speedscope',
      input: `speedscope/sample/profiles/${c.file}`,
      variant: c.keys.length > 1 ? `${c.keys.length} profiles` : 'snapshot',
      stacks: peer.size,
      matched,
      weightOurs: totalOurs,
      weightPeer: totalPeer,
      top5Same,
      agrees: reasons.length === 0,
      reasons,
      ...(onlyLastSampleEffects
        ? {
            deliberate:
              'last sample of each thread charged up to the end of its profile; native dummy.js placeholder kept; samples of nodes missing from the file left out (with a warning)',
          }
        : {}),
      ...(lastSampleRule
        ? {
            deliberate:
              "sampled trace: perfloop charges each thread's last sample the interval before it (a sample stands for one sampling interval, as in the other sampled formats), speedscope charges it nothing; with exactly those weights taken out every frame, share and total agree",
          }
        : {}),
      ...(firefoxRule
        ? {
            deliberate:
              "Gecko profile: perfloop keeps the engine's C++ label frames, Firefox's own JS (resource://, self-hosted) and script top levels that speedscope drops, and gives the last sample the sampling interval; with speedscope's filter applied to perfloop's profile and that sample taken out, every frame, share and total agree",
          }
        : {}),
      ...(deliberateByFile && reasons.length > 0 ? { deliberate: deliberateByFile } : {}),
      ...(c.perf && reasons.length === 0
        ? {
            agrees: false,
            deliberate:
              'same frames; weights differ by design: speedscope weighs a perf sample by the time to the next one, perfloop by count or period as perf report, FlameGraph and inferno do',
          }
        : {}),
    });
  }
  return out;
}
