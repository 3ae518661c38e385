import { categoryShareRule, listed } from './category-share.js';

/**
 * Unexpected finding: serializing and parsing (JSON, protobuf, YAML …) takes a large share. V8 gives JSON.stringify
 * no frame, so the share includes the self time of functions whose hottest line is a JSON call.
 */
export const serialization = categoryShareRule({
  id: 'cpu.serialization',
  category: 'serialization',
  minPct: 10,
  impactFactor: 0.5,
  basis: 'half of the serialization share of non-idle CPU: smaller or cached payloads typically halve it',
  title: (pct, main) => `Serialization takes ${pct}% of CPU time${main ? ` (mostly ${main})` : ''}`,
  recommendation: ({ callers, functions, action }) =>
    `${action}.${functions.length ? ` Where: ${listed(functions)}.` : ''}${callers.length ? ` Called from ${listed(callers)}.` : ''}`,
});
