import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { PerfloopError } from '../core/errors.js';
import { parseDuration } from '../load/duration.js';

const endpoint = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().optional(),
      method: z.string().optional(),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.string().optional(),
      weight: z.number().positive().optional(),
    })
    .strict(),
]);
const duration = z.string().refine((s) => parseDuration(s) !== undefined, 'must be a duration like "30s"');

const configSchema = z
  .object({
    target: z.string().min(1).optional(),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    ready: z.string().optional(),
    readyTimeout: duration.optional(),
    baseUrl: z.string().url().optional(),
    endpoints: z.array(endpoint).min(1).optional(),
    /** A k6 or perfloop script (or a YAML/JSON scenario file) to load the target with, instead of endpoints. */
    script: z.string().min(1).optional(),
    /** One of the method's test scenarios: baseline, normal, peak, spike, endurance. */
    preset: z.string().min(1).optional(),
    scale: z.number().positive().optional(),
    /** A constant arrival rate (requests per second), `vus` capping concurrent requests. */
    rate: z.number().positive().optional(),
    stages: z.array(z.object({ duration, target: z.number().int().min(0) }).strict()).min(1).optional(),
    /** k6 scenarios, validated by the engine with their paths (`scenarios.api.stages[2].target`). */
    scenarios: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    thresholds: z.record(z.string(), z.unknown()).optional(),
    vus: z.number().int().min(1).optional(),
    duration: duration.optional(),
    warmup: duration.optional(),
    label: z.string().optional(),
    out: z.string().optional(),
    budget: z.string().optional(),
    profile: z.union([z.literal(false), z.object({ samplingIntervalUs: z.number().int().min(50).optional() }).strict()]).optional(),
    memoryLimitMb: z.number().positive().optional(),
    db: z.string().optional(),
  })
  .strict();

/** `perfloop.config.{ts,js,json}`: what `perfloop run` does, so a team runs the same loop. */
export type PerfloopConfig = z.infer<typeof configSchema>;

/** Typed helper for `perfloop.config.ts` / `.js`: `export default defineConfig({ … })`. */
export function defineConfig(config: PerfloopConfig): PerfloopConfig {
  return config;
}

export const CONFIG_NAMES = ['perfloop.config.ts', 'perfloop.config.mts', 'perfloop.config.js', 'perfloop.config.mjs', 'perfloop.config.json'];

export function validateConfig(json: unknown, source: string): PerfloopConfig {
  const r = configSchema.safeParse(json);
  if (!r.success) {
    throw new PerfloopError('CONFIG_INVALID', `${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

async function importTs(path: string): Promise<unknown> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new PerfloopError('CONFIG_TS', `${path}: a TypeScript config needs the "typescript" package`, { hint: 'npm i -D typescript, or use perfloop.config.js' });
  }
  const source = readFileSync(path, 'utf8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: true,
    fileName: path,
  });
  const syntax = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax) {
    const { line, character } = syntax.file && syntax.start !== undefined ? syntax.file.getLineAndCharacterOfPosition(syntax.start) : { line: 0, character: 0 };
    throw new PerfloopError('CONFIG_INVALID', `${path}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(syntax.messageText, ' ')}`);
  }
  const js = out.outputText;
  // Imported from a data: URL, so `import { defineConfig } from 'perfloop'` must be rewritten to a file URL.
  const self = pathToFileURL(resolve(new URL('../index.js', import.meta.url).pathname)).href;
  const rewritten = js.replace(/from\s+['"]perfloop['"]/g, `from '${self}'`);
  return (await import(`data:text/javascript;base64,${Buffer.from(rewritten).toString('base64')}`)).default;
}

/** Loads the given config file, or the first `perfloop.config.*` in `cwd`; undefined when there is none. */
export async function loadConfig(cwd: string, explicit?: string): Promise<{ config: PerfloopConfig; path: string } | undefined> {
  const path = explicit ? resolve(cwd, explicit) : CONFIG_NAMES.map((n) => join(cwd, n)).find((p) => existsSync(p));
  if (!path) return undefined;
  if (!existsSync(path)) throw new PerfloopError('CONFIG_MISSING', `config file not found: ${path}`);
  let raw: unknown;
  try {
    if (path.endsWith('.json')) raw = parseJsonConfig(path);
    else if (/\.m?ts$/.test(path)) raw = await importTs(path);
    else raw = (await import(pathToFileURL(path).href)).default;
  } catch (e) {
    if (e instanceof PerfloopError) throw e;
    throw new PerfloopError('CONFIG_INVALID', `${path}: ${(e as Error).message}`);
  }
  if (raw === undefined)
    throw new PerfloopError('CONFIG_INVALID', `${path}: no default export`, { hint: 'export default defineConfig({ … })' });
  return { config: validateConfig(raw, path), path };
}

/** JSON with the line and column of a syntax error (JSON.parse names only a character offset). */
function parseJsonConfig(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset).split('\n');
    throw new PerfloopError('CONFIG_INVALID', `${path}:${before.length}:${before[before.length - 1].length + 1}: ${message}`);
  }
}
