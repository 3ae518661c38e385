/**
 * The folded reader's fast path (a line compared with the previous one as words, shared frames reused, the file
 * read into one reused buffer) against the plain reading: split every line at `;`, build each stack from the
 * root. Inputs are made to hit its edges: frames that are prefixes of one another, empty frames, identical
 * lines, a line that is a prefix of the previous one, lines longer than its first buffer, stacks deeper than its
 * first depth arrays, multi-byte UTF-8, and a file of several read chunks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileBuilder, type Profile } from '../../src/core/profile.js';
import { importProfileFile } from '../../src/profile/import/index.js';
import { rng } from '../../bench/profile-inputs.js';

/** Every sampled stack as `a;b;c` → summed weight. */
function stacks(p: Profile): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < p.sampleCount; i++) {
    const key = p
      .stackOf(p.sampleNode[i])
      .map((f) => p.frames[f].name)
      .join(';');
    out.set(key, (out.get(key) ?? 0) + p.sampleWeight[i]);
  }
  return out;
}

function tricky(lines: number, seed: number): string[] {
  const r = rng(seed);
  const names = ['a', 'ab', 'abc', 'b', 'ba', 'é', 'éa', 'f(x)', 'x'.repeat(300), 'αβγ', 'a b'];
  const out: string[] = [];
  let frames: string[] = ['main'];
  for (let l = 0; l < lines; l++) {
    const roll = r();
    if (roll < 0.05) {
      // identical to the previous line
    } else if (roll < 0.1) frames = frames.slice(0, Math.max(1, frames.length - 1)); // a prefix of it
    else if (roll < 0.15) frames = [...frames.slice(0, -1), frames[frames.length - 1] + 'b']; // leaf grows
    else if (roll < 0.2) frames = [...frames, '']; // an empty frame
    else if (roll < 0.22) frames = Array.from({ length: 300 + Math.floor(r() * 100) }, (_, i) => `d${i % 7}`); // deep
    else {
      frames = frames.slice(0, Math.floor(r() * (frames.length + 1)));
      const add = 1 + Math.floor(r() * 6);
      for (let i = 0; i < add; i++) frames.push(names[Math.floor(r() * names.length)]);
    }
    if (frames.length === 0) frames = ['main'];
    out.push(`${frames.join(';')} ${1 + Math.floor(r() * 5)}`);
  }
  return out;
}

test('folded: the fast reader gives the stacks and the tree of the plain reading', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfloop-folded-'));
  try {
    const lines = tricky(20_000, 3); // > 1 MB: several read chunks, lines split across them
    const path = join(dir, 'tricky.folded');
    writeFileSync(path, lines.join('\n') + '\n');
    const p = await importProfileFile(path, {});
    const b = new ProfileBuilder({ format: 'folded' }, 'samples');
    for (const l of lines) {
      const sp = l.lastIndexOf(' ');
      b.sample(
        b.stack(
          l
            .slice(0, sp)
            .split(';')
            .map((name) => b.frame({ name })),
        ),
        Number(l.slice(sp + 1)),
      );
    }
    const ref = b.build();
    assert.ok(p.nodeCount > 1000);
    assert.equal(p.nodeCount, ref.nodeCount);
    assert.equal(p.sampleCount, lines.length);
    assert.deepEqual(stacks(p), stacks(ref));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ProfileBuilder: a parent with thousands of children finds each one again (list, then hash table)', () => {
  const b = new ProfileBuilder({ format: 'test' }, 'samples');
  const frames = Array.from({ length: 3000 }, (_, i) => b.frame({ name: `f${i}` }));
  const ref = new Map<string, number>();
  const r = rng(11);
  for (let k = 0; k < 50_000; k++) {
    // Root level and one node below it are wide; deeper parents keep a few children.
    const parent = k % 3 === 0 ? -1 : k % 3 === 1 ? b.node(-1, frames[0]) : b.node(b.node(-1, frames[1]), frames[2]);
    const width = k % 3 === 2 ? 5 : 3000;
    const frame = frames[Math.floor(r() * width)];
    const node = b.node(parent, frame);
    const key = `${parent}:${frame}`;
    const seen = ref.get(key);
    if (seen === undefined) ref.set(key, node);
    else assert.equal(node, seen, key);
  }
  for (const [parent, frame] of [
    [-1, frames[0]],
    [-1, frames[1]],
    [b.node(-1, frames[1]), frames[2]],
  ])
    ref.set(`${parent}:${frame}`, b.node(parent, frame));
  const p = b.build();
  assert.equal(p.nodeCount, ref.size); // one node per (parent, frame), none made twice
  for (const [key, node] of ref) assert.equal(`${p.nodeParent[node]}:${p.nodeFrame[node]}`, key);
});
