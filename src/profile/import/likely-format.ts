/**
 * What a file most likely is when no importer takes it, so the error names it ("Firefox profile: not supported
 * yet") instead of blaming the nearest JSON importer ("not a V8 cpuprofile"). Also consulted before the
 * file-name match, so a GHC `.prof` (text) is not read as pprof (binary) because of its extension.
 * Signatures from each format's own files: JSON by the keys present anywhere in the first part of the document
 * (DevTools, Firefox and others do not put their telling key first), text and binary by their first bytes.
 */
export interface LikelyFormat {
  /** What the file is, in the words its users know it by. */
  readonly what: string;
  /** How to get something perfloop reads from it, when there is a way. */
  readonly hint?: string;
}

interface Signature extends LikelyFormat {
  /** The signature cannot match a format perfloop reads: it is checked even before the file name. */
  readonly definitive?: boolean;
  test(text: string, keys: ReadonlySet<string>, head: Buffer): boolean;
}

/** The object keys that occur in the first part of a JSON document (at any depth). */
export function jsonKeys(text: string): Set<string> {
  const keys = new Set<string>();
  const re = /"([A-Za-z_$][\w$-]{0,40})"\s*:/g;
  for (let m = re.exec(text); m && keys.size < 500; m = re.exec(text)) keys.add(m[1]);
  return keys;
}

const has = (keys: ReadonlySet<string>, ...names: string[]) => names.every((n) => keys.has(n));

const SIGNATURES: readonly Signature[] = [
  {
    definitive: true,
    what: 'Safari Web Inspector timeline recording',
    hint: 'not supported yet; record with Chrome DevTools or save a .cpuprofile instead',
    test: (t, k) =>
      k.has('recording') &&
      (k.has('sampleStackTraces') || k.has('records') || k.has('stackTrace')) &&
      !/^\s*\{\s*"recording"\s*:\s*\{\s*"events"\s*:/.test(t), // that is `jfr print --json`
  },
  {
    definitive: true,
    what: 'V8 sampling heap profile (.heapprofile)',
    hint: 'an allocation profile, not CPU time: perfloop flame reads CPU profiles; use `perfloop heap` for heap data',
    test: (_t, k) => has(k, 'head', 'selfSize', 'callFrame'),
  },
  {
    definitive: true,
    what: 'GHC .prof (Haskell cost-centre profile)',
    hint: 'not supported yet; `ghc-prof-flamegraph` turns it into folded stacks',
    test: (t, k) =>
      /^\s*COST CENTRE\s+MODULE/m.test(t.slice(0, 8192)) || has(k, 'cost_centres', 'rts_arguments'),
  },
  {
    definitive: true,
    what: 'Xcode Instruments deep copy',
    hint: 'not supported yet; speedscope opens it',
    test: (t) => /^(Weight|Running Time)\s+Self( Weight)?\s+.*Symbol Name/m.test(t.slice(0, 2048)),
  },
];

/** The format the first bytes most likely are, among those perfloop does not read; undefined when none fits. */
export function likelyUnsupportedFormat(
  head: Buffer,
  text: string,
  onlyDefinitive = false,
): LikelyFormat | undefined {
  const keys = /^\s*[{[]/.test(text) ? jsonKeys(text) : new Set<string>();
  return SIGNATURES.find((s) => (!onlyDefinitive || s.definitive) && s.test(text, keys, head));
}
