import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { explainCommand } from './explain.js';
import { heapCommand } from './heap.js';
import { loadCommand } from './load.js';
import { mergeCommand } from './merge.js';
import { queriesCommand } from './queries.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';

/** Every command, by name. Adding a command is adding its file and one entry here. */
export const COMMANDS: readonly Command[] = [
  runCommand,
  demoCommand,
  runsCommand,
  loadCommand,
  mergeCommand,
  explainCommand,
  queriesCommand,
  heapCommand,
];
