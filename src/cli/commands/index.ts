import type { Command } from '../command.js';

/** A command by name; its module (and what that imports) is loaded only when the command runs. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

/**
 * Every command, by name. Adding a command is adding its file and one entry here. Loading lazily keeps
 * `perfloop load …` from paying for PostgreSQL clients, SQLite, profile importers (~0.2 s of start-up).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'run', load: async () => (await import('./run.js')).runCommand },
  { name: 'demo', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'runs', load: async () => (await import('./runs.js')).runsCommand },
  { name: 'show', load: async () => (await import('./show.js')).showCommand },
  { name: 'prune', load: async () => (await import('./prune.js')).pruneCommand },
  { name: 'explain', load: async () => (await import('./explain.js')).explainCommand },
  { name: 'indexes', load: async () => (await import('./indexes.js')).indexesCommand },
  { name: 'queries', load: async () => (await import('./queries.js')).queriesCommand },
  { name: 'load', load: async () => (await import('./load.js')).loadCommand },
  { name: 'k6', load: async () => (await import('./k6.js')).k6Command },
  { name: 'merge', load: async () => (await import('./merge.js')).mergeCommand },
  { name: 'flame', load: async () => (await import('./flame.js')).flameCommand },
  { name: 'profile', load: async () => (await import('./profile.js')).profileCommand },
  { name: 'job', load: async () => (await import('./job.js')).jobCommand },
  { name: 'heap', load: async () => (await import('./heap.js')).heapCommand },
  { name: 'compare', load: async () => (await import('./compare.js')).compareCommand },
  { name: 'gate', load: async () => (await import('./gate.js')).gateCommand },
  { name: 'log', load: async () => (await import('./log.js')).logCommand },
  { name: 'summary', load: async () => (await import('./summary.js')).summaryCommand },
  { name: 'ci', load: async () => (await import('./ci.js')).ciCommand },
  { name: 'ui', load: async () => (await import('./ui.js')).uiCommand },
  { name: 'report', load: async () => (await import('./report.js')).reportCommand },
  { name: 'store', load: async () => (await import('./store.js')).storeCommand },
  { name: 'k8s', load: async () => (await import('./k8s.js')).k8sCommand },
  { name: 'page', load: async () => (await import('./page.js')).pageCommand },
];
