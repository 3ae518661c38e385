/**
 * User categories, from a YAML or JSON file (`perfloop flame --categories FILE`), tried before the defaults:
 *
 *   categories:
 *     - category: billing            # a new category…
 *       file: "src/billing/"         # …for frames whose file matches this regular expression
 *       action: "Cache the tariff table"
 *     - category: database           # or more frames for an existing one
 *       name: "^ourDbClient\\."
 *       specific: true               # looked for along the whole stack (default), false = leaf only
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PerfloopError } from '../../core/errors.js';
import type { CategoryRule } from './categories.js';

const ruleSchema = z
  .object({
    category: z.string().min(1),
    file: z.string().optional(),
    name: z.string().optional(),
    specific: z.boolean().optional(),
    action: z.string().optional(),
  })
  .strict()
  .refine((r) => r.file !== undefined || r.name !== undefined, { message: 'needs "file" or "name"' });

const configSchema = z.object({ categories: z.array(ruleSchema) }).strict();

export function parseCategoryRules(text: string, source = 'categories'): CategoryRule[] {
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (e) {
    throw new PerfloopError('CONFIG_INVALID', `${source}: not valid YAML/JSON: ${(e as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PerfloopError('CONFIG_INVALID', `${source}: ${errors.join('; ')}`);
  }
  const errors: string[] = [];
  const regex = (s: string | undefined, path: string) => {
    if (s === undefined) return undefined;
    try {
      return new RegExp(s);
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const rules = parsed.data.categories.map((r, i) => ({
    category: r.category,
    file: regex(r.file, `categories.${i}.file`),
    name: regex(r.name, `categories.${i}.name`),
    specific: r.specific ?? true,
    action: r.action,
  }));
  if (errors.length > 0) throw new PerfloopError('CONFIG_INVALID', `${source}: ${errors.join('; ')}`);
  return rules;
}

export function loadCategoryRules(path: string): CategoryRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PerfloopError('CONFIG_INVALID', `${path}: cannot read (${(e as Error).message})`);
  }
  return parseCategoryRules(text, path);
}
