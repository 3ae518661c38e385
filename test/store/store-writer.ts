// A writer process of the concurrency test: `node store-writer.js URL WRITER RUNS` saves RUNS runs labelled
// "writer WRITER" into the store, each opened once per run as a CI job would, then prints their ids.
import { openStore } from '../../src/store/open-store.js';
import { sampleRecord } from './sample-record.js';

const [url, writer, runs] = process.argv.slice(2);
const ids: string[] = [];
for (let i = 0; i < Number(runs); i++) {
  const store = await openStore(url);
  try {
    const r = sampleRecord(`writer ${writer}`, 10 + i, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), i % 3);
    await store.save(r);
    ids.push(r.run.id);
  } finally {
    await store.close();
  }
}
process.stdout.write(`${ids.join('\n')}\n`);
