import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPerfloopError, PerfloopError } from '../../src/core/errors.js';
import { HeapSnapshotParser } from '../../src/memory/snapshot/parser.js';
import { readHeapSnapshotFile } from '../../src/memory/snapshot/read-file.js';
import { loadHeapGraph } from '../../src/memory/snapshot/load.js';
import { tempDir } from '../helpers.js';
import { snapshotsOf } from './heap-fixtures.js';

const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'], 'string', 'number', 'number', 'number', 'number', 'number'],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};

/** A tiny valid snapshot: root → a (property "x") → b, with strings that need every kind of unescaping. */
function tinySnapshot(strings: string[] = ['', 'a', 'x', 'b\n"quoted"\\', 'é€😀']): string {
  return JSON.stringify({
    snapshot: { meta: META, node_count: 3, edge_count: 2, trace_function_count: 0 },
    nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 16, 1, 0, 0, 2, 3, 5, 24, 0, 0, 0],
    edges: [2, 2, 7, 2, 2, 14],
    trace_function_infos: [],
    trace_tree: [],
    samples: [],
    locations: [],
    strings,
  });
}

/** The columns perfloop keeps, computed the plain way from JSON.parse's flat arrays. */
function expectedColumns(json: { snapshot: { meta: typeof META }; nodes: number[]; edges: number[] }) {
  const nf = json.snapshot.meta.node_fields;
  const ef = json.snapshot.meta.edge_fields;
  const NF = nf.length;
  const EF = ef.length;
  const col = (arr: number[], fields: string[], name: string, step: number) => arr.filter((_, i) => i % step === fields.indexOf(name));
  const counts = col(json.nodes, nf, 'edge_count', NF);
  const firstEdge = [0];
  for (const c of counts) firstEdge.push(firstEdge[firstEdge.length - 1] + c);
  return {
    nodes: { type: col(json.nodes, nf, 'type', NF), name: col(json.nodes, nf, 'name', NF), id: col(json.nodes, nf, 'id', NF), size: col(json.nodes, nf, 'self_size', NF), firstEdge },
    edges: { type: col(json.edges, ef, 'type', EF), name: col(json.edges, ef, 'name_or_index', EF), to: col(json.edges, ef, 'to_node', EF).map((v) => v / NF) },
  };
}

const plain = (cols: object) => Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));

function parseChunked(text: string | Buffer, chunk: number) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const p = new HeapSnapshotParser('test.heapsnapshot');
  for (let i = 0; i < bytes.length; i += chunk) p.push(bytes.subarray(i, i + chunk));
  return p.end();
}

test('parses a snapshot pushed one byte at a time exactly as JSON.parse reads it', () => {
  const text = tinySnapshot();
  const want = JSON.parse(text);
  for (const chunk of [1, 2, 3, 7, 1 << 20]) {
    const raw = parseChunked(text, chunk);
    const cols = expectedColumns(want);
    assert.deepEqual(plain(raw.nodes), cols.nodes);
    assert.deepEqual(plain(raw.edges), cols.edges);
    assert.deepEqual(Array.from({ length: raw.strings.length }, (_, i) => raw.strings.get(i)), want.strings, `chunk ${chunk}`);
    assert.equal(raw.meta.nodeTypes[3], 'object');
    assert.equal(raw.meta.edgeTypes[5], 'shortcut');
  }
});

test('\\u escapes: surrogate pairs join, lone surrogates become U+FFFD', () => {
  const text = tinySnapshot().replace('"é€😀"', '"\\u00e9\\ud83d\\ude00 \\ud800x \\u0041"');
  const raw = parseChunked(text, 5);
  assert.equal(raw.strings.get(4), 'é😀 \ufffdx A');
});

test('a real snapshot written by Node parses to the same arrays and strings as JSON.parse', async () => {
  const [file] = await snapshotsOf('no-leak');
  const want = JSON.parse(readFileSync(file, 'utf8'));
  const raw = readHeapSnapshotFile(file);
  const cols = expectedColumns(want);
  assert.equal(raw.nodeCount, want.snapshot.node_count);
  assert.deepEqual(plain(raw.nodes), cols.nodes);
  assert.deepEqual(plain(raw.edges), cols.edges);
  const LF = want.snapshot.meta.location_fields.length;
  assert.deepEqual(Array.from(raw.locations), (want.locations as number[]).map((v, i) => (i % LF === 0 ? v / want.snapshot.meta.node_fields.length : v)));
  assert.equal(raw.strings.length, want.strings.length);
  for (let i = 0; i < want.strings.length; i++) if (raw.strings.get(i) !== want.strings[i]) assert.fail(`string ${i}: ${JSON.stringify(raw.strings.get(i))} ≠ ${JSON.stringify(want.strings[i])}`);
});

function expectError(fn: () => unknown, code: string, ...parts: RegExp[]) {
  try {
    fn();
  } catch (e) {
    assert.ok(isPerfloopError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.toLine().includes('\n'), 'one line');
    for (const p of parts) assert.match(e.message, p);
    return;
  }
  assert.fail('expected an error');
}

test('a truncated snapshot is one error naming the file, what was expected and the byte offset', async () => {
  const [src] = await snapshotsOf('no-leak');
  const dir = tempDir();
  const file = join(dir, 'cut.heapsnapshot');
  const size = readFileSync(src).length;
  for (const at of [Math.floor(size * 0.3), size - 10, 5]) {
    copyFileSync(src, file);
    truncateSync(file, at);
    expectError(() => readHeapSnapshotFile(file), 'HEAP_SNAPSHOT_TRUNCATED', /cut\.heapsnapshot/, new RegExp(`at byte ${at}\\b`), /expected /);
  }
  writeFileSync(file, '');
  expectError(() => readHeapSnapshotFile(file), 'HEAP_SNAPSHOT_TRUNCATED', /expected '\{'/);
});

test('malformed input points at the offending byte', () => {
  const text = tinySnapshot();
  const bad = text.replace('"nodes":[9,0,1', '"nodes":[9,x,1');
  const at = bad.indexOf('x,1');
  expectError(() => parseChunked(bad, 4), 'HEAP_SNAPSHOT_MALFORMED', new RegExp(`at byte ${at}\\b`), /"nodes"/, /found 'x'/);
  expectError(() => parseChunked('[1,2,3]', 2), 'HEAP_SNAPSHOT_MALFORMED', /at byte 0\b/);
  expectError(() => parseChunked(text.replace('"nodes":[9,0,1,', '"nodes":[9,0,1,99999999999,'), 3), 'HEAP_SNAPSHOT_MALFORMED', /unsigned 32-bit/);
  expectError(() => parseChunked(text.replace('"node_count":3', '"node_count":4'), 64), 'HEAP_SNAPSHOT_MALFORMED', /4 nodes \(node_count/);
  const badEdge = text.replace('"edges":[2,2,7,2,2,14]', '"edges":[2,2,7,2,2,15]');
  expectError(() => parseChunked(badEdge, 64), 'HEAP_SNAPSHOT_MALFORMED', /to_node/, new RegExp(`at byte ${badEdge.indexOf('15]') + 2}\\b`));
  expectError(() => parseChunked(text.replace(/,"strings":\[.*\]/, ''), 64), 'HEAP_SNAPSHOT_MALFORMED', /"strings" section/);
  expectError(() => parseChunked(`${text}x`, 64), 'HEAP_SNAPSHOT_MALFORMED', /nothing after/);
});

test('the worker rejects a snapshot whose edges point outside the nodes with exit code 2', async () => {
  const dir = tempDir();
  const file = join(dir, 'bad-edge.heapsnapshot');
  writeFileSync(file, tinySnapshot().replace('"edges":[2,2,7,2,2,14]', '"edges":[2,2,7,2,2,700]'));
  await assert.rejects(loadHeapGraph(file), (e: unknown) => e instanceof PerfloopError && e.code === 'HEAP_SNAPSHOT_MALFORMED' && e.exitCode === 2 && /"edges"/.test(e.message) && e.message.includes(file));
  await assert.rejects(loadHeapGraph(join(dir, 'missing.heapsnapshot')), (e: unknown) => e instanceof PerfloopError && e.exitCode === 2 && /no such file/.test(e.message));
  // And a good one comes back as a graph.
  writeFileSync(file, tinySnapshot());
  const g = await loadHeapGraph(file);
  assert.equal(g.nodeCount, 3);
  assert.equal(g.totalSize, 40);
  assert.equal(g.name(2), 'b\n"quoted"\\');
});
