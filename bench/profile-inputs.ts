/**
 * Inputs for bench/profile-import.ts, generated deterministically (seeded) and streamed to disk so the generator
 * itself never holds a file in memory: a 1,000,000-line folded file, a ~500 MB .cpuprofile, and a
 * 1,000,000-sample profile for the HTML load test. Shapes follow real profiles: stacks 8–60 deep over a call
 * graph of a few thousand functions, folded lines sorted (as stackcollapse writes them), V8 nodes with
 * positionTicks, sample deltas around the 1 ms interval with the occasional negative one Chrome writes.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { ProfileBuilder, type Profile } from '../src/core/profile.js';
import { seededRandom } from '../src/load/url-template.js';

/** Seeded generator shared with the load engine's templates (Mulberry32). */
export const rng = seededRandom;

/** Buffered writes: a 500 MB file in 4 MB writes. */
class Writer {
  private fd: number;
  private buf = '';
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.buf += s;
    if (this.buf.length > 4 << 20) this.flush();
  }
  flush(): void {
    if (this.buf) writeSync(this.fd, this.buf);
    this.buf = '';
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const FUNCTIONS = 4000;
const fnName = (i: number) =>
  i % 7 === 0
    ? `internal/${['streams', 'timers', 'http'][i % 3]}.fn${i}`
    : i % 5 === 0
      ? `pg.query${i}`
      : `route${i % 300}.fn${i}`;

/** `lines` folded stacks, sorted, one count each. Returns the file size. */
export function writeFolded(path: string, lines: number, seed = 1): number {
  if (existsSync(path)) return statSync(path).size;
  const r = rng(seed);
  const stacks: string[] = new Array(lines);
  // A random walk over stacks, as a sampler sees them: each stack keeps most of the previous one (a program
  // moves between nearby calls) and changes its last few frames; now and then it jumps to a new root.
  let frames: number[] = [];
  for (let l = 0; l < lines; l++) {
    if (frames.length === 0 || r() < 0.02) frames = [Math.floor(r() * 40)];
    else frames.length = Math.max(1, frames.length - 1 - Math.floor(-Math.log(1 - r()) * 3));
    const depth = 8 + Math.floor(r() * 32);
    while (frames.length < depth) {
      const prev = frames[frames.length - 1];
      frames.push((prev * 7919 + 1 + Math.floor(r() * (frames.length < 4 ? 3 : 25))) % FUNCTIONS);
    }
    stacks[l] = `${frames.map(fnName).join(';')} ${1 + Math.floor(r() * 200)}`;
  }
  stacks.sort();
  const w = new Writer(path);
  let prev = '';
  for (const s of stacks) {
    if (s !== prev) w.write(`${s}\n`);
    prev = s;
  }
  w.close();
  return statSync(path).size;
}

/** A V8 .cpuprofile of about `targetMB` MB: a big node tree and many samples. Returns the file size. */
export function writeCpuProfile(path: string, targetMB: number, seed = 2): number {
  if (existsSync(path)) return statSync(path).size;
  const r = rng(seed);
  const nodes = Math.round(targetMB * 3100); // ~160 bytes per node …
  const samples = Math.round(targetMB * 31_000); // … and ~11 bytes per sample (id + delta)
  const parent = new Int32Array(nodes);
  const depth = new Int32Array(nodes);
  const childCount = new Int32Array(nodes);
  parent[0] = -1;
  for (let i = 1; i < nodes; i++) {
    let p = i < 200 ? Math.floor(r() * i) : Math.max(1, i - 1 - Math.floor(r() * 60));
    if (depth[p] >= 55 || r() < 0.08) p = Math.floor(r() * Math.min(i, 2000));
    parent[i] = p;
    depth[i] = depth[p] + 1;
    childCount[p]++;
  }
  const childStart = new Int32Array(nodes + 1);
  for (let i = 0; i < nodes; i++) childStart[i + 1] = childStart[i] + childCount[i];
  const children = new Int32Array(nodes);
  const fill = childStart.slice(0, nodes);
  for (let i = 1; i < nodes; i++) children[fill[parent[i]]++] = i;
  const hits = new Int32Array(nodes);
  const sampleIds = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const id = 1 + Math.floor(Math.pow(r(), 1.6) * (nodes - 1)); // skewed: some stacks are hot
    sampleIds[s] = id;
    hits[id]++;
  }
  const w = new Writer(path);
  w.write('{"nodes":[');
  for (let i = 0; i < nodes; i++) {
    const f = i === 0 ? -1 : (i * 2654435761) % FUNCTIONS;
    const name = i === 0 ? '(root)' : fnName(f);
    const kids = Array.from(children.subarray(childStart[i], childStart[i + 1]), (c) => c + 1);
    const line = 10 + (f % 900);
    const ticks = hits[i] > 0 ? `,"positionTicks":[{"line":${line + 2},"ticks":${hits[i]}}]` : '';
    w.write(
      `${i ? ',' : ''}{"id":${i + 1},"callFrame":{"functionName":"${name}","scriptId":"${f % 300}","url":"${i === 0 ? '' : `file:///srv/app/src/module${f % 300}.js`}","lineNumber":${i === 0 ? -1 : line},"columnNumber":${i === 0 ? -1 : f % 40}},"hitCount":${hits[i]}${kids.length ? `,"children":[${kids.join(',')}]` : ''}${ticks}}`,
    );
  }
  w.write('],"startTime":1000000,"endTime":');
  let total = 0;
  const deltas = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    deltas[s] = s > 0 && r() < 0.001 ? -Math.floor(r() * 300) : 900 + Math.floor(r() * 250);
    total += deltas[s];
  }
  w.write(`${1_000_000 + total + 1000},"samples":[`);
  for (let s = 0; s < samples; s += 10_000)
    w.write(`${s ? ',' : ''}${Array.from(sampleIds.subarray(s, s + 10_000)).join(',')}`);
  w.write('],"timeDeltas":[');
  for (let s = 0; s < samples; s += 10_000)
    w.write(`${s ? ',' : ''}${Array.from(deltas.subarray(s, s + 10_000)).join(',')}`);
  w.write(']}\n');
  w.close();
  return statSync(path).size;
}

/** A timed profile of `samples` samples over a call tree of about `nodes` nodes. */
export function samplesProfile(samples: number, nodes: number, seed = 3): Profile {
  const r = rng(seed);
  const b = new ProfileBuilder({ format: 'bench', name: `${samples} samples` }, 'us', { timed: true });
  const frames = Array.from({ length: FUNCTIONS }, (_, i) =>
    b.frame({ name: fnName(i), file: `/srv/app/src/module${i % 300}.js`, line: 10 + (i % 900) }),
  );
  const leaves: number[] = [];
  while (leaves.length < nodes / 12) {
    const depth = 6 + Math.floor(r() * 24);
    const stack: number[] = [];
    let f = Math.floor(r() * 30);
    for (let d = 0; d < depth; d++) {
      stack.push(frames[f]);
      f = (f * 7919 + 1 + Math.floor(r() * (d < 4 ? 3 : 25))) % FUNCTIONS;
    }
    leaves.push(b.stack(stack));
  }
  let t = 0;
  for (let s = 0; s < samples; s++) {
    const leaf = leaves[Math.floor(Math.pow(r(), 1.5) * leaves.length)];
    b.sample(leaf, 1000, t);
    t += 1000;
  }
  return b.build();
}
