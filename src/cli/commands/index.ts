import type { Command } from '../command.js';
import { flameCommand } from './flame.js';
import { profileCommand } from './profile.js';
import { demoCommand } from './demo.js';
import { explainCommand } from './explain.js';
import { queriesCommand } from './queries.js';
import { heapCommand } from './heap.js';
import { loadCommand } from './load.js';
import { mergeCommand } from './merge.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';
import { compareCommand } from './compare.js';
import { gateCommand } from './gate.js';
import { logCommand } from './log.js';
import { summaryCommand } from './summary.js';
import { ciCommand } from './ci.js';

/** Every command, by name. Adding a command is adding its file and one entry here. */
export const COMMANDS: readonly Command[] = [runCommand, demoCommand, runsCommand, explainCommand, queriesCommand, loadCommand, mergeCommand, flameCommand, profileCommand, heapCommand, compareCommand, gateCommand, logCommand, summaryCommand, ciCommand];
