/** Line-by-line reading of big inputs (logs and NDJSON of hundreds of MB are never read into one string). */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export async function* readLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}
