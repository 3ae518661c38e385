import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from '../../../src/load/engine.js';
import { tempDir } from '../../helpers.js';
import { startServer } from '../servers.js';

const ctxScript = (url: string, awaitIt: boolean) => `
export const options = { vus: 1, iterations: 3 };
export default async function (ctx) {
  const r = await ctx.http.get('${url}');
  ctx.check(r, { ok: (x) => x.status === 200 });
  ${awaitIt ? 'await ' : ''}ctx.sleep(0.01);
}
`;

test("a ctx script's un-awaited ctx.sleep() is warned about with its line; an awaited one is not", async () => {
  const srv = await startServer((_u, res) => res.end('ok'));
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'bad.js'), ctxScript(srv.url, false));
    writeFileSync(join(dir, 'good.js'), ctxScript(srv.url, true));
    const bad = await runLoad({ script: join(dir, 'bad.js') });
    const w = bad.extras.warnings?.find((x) => /not awaited/.test(x));
    assert.ok(w, `no warning: ${bad.extras.warnings?.join(' | ')}`);
    assert.match(w!, /ctx\.sleep\(\) at .*bad\.js:6:\d+/);
    const good = await runLoad({ script: join(dir, 'good.js') });
    assert.equal(good.extras.warnings?.filter((x) => /not awaited/.test(x)).length, 0);
  } finally {
    await srv.close();
  }
});
