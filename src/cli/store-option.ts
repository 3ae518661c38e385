import { openStore, storeLocation } from '../store/open-store.js';
import { DEFAULT_STORE_PATH, type RunStore } from '../store/run-store.js';
import type { CommandIO, OptionSpec, ParsedValues } from './command.js';
import { str } from './parse.js';

/** `--store PATH|URL`, declared once for every command that reads or writes runs. */
export const STORE_OPTION: OptionSpec = {
  type: 'string',
  arg: 'PATH|URL',
  description: `history store: a SQLite file or a postgres:// URL (default: $PERFLOOP_STORE, else ${DEFAULT_STORE_PATH})`,
};

/** The store a command's `--store` names (a path relative to the command's cwd, or a URL). */
export const storeFlag = (v: ParsedValues, io: CommandIO): string => storeLocation(io.cwd, str(v, 'store'));

export const openStoreFlag = (v: ParsedValues, io: CommandIO): Promise<RunStore> => openStore(storeFlag(v, io));
