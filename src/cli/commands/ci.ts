import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { githubWorkflow, gitlabJob, STARTER_BUDGET, type CiInitOptions } from '../../gate/ci-config.js';
import { DEFAULT_STORE_PATH } from '../../store/run-store.js';
import type { Command } from '../command.js';
import { int, list, str } from '../parse.js';

export const ciCommand: Command = {
  name: 'ci',
  summary: 'ci init: write a GitHub Actions workflow, a GitLab job and a starter performance-budget.json',
  usage: 'perfloop ci init [--target CMD] [--url URL] [--ready URL] [-c N] [-d DUR] [--dir DIR] [--force]',
  details:
    'Writes .github/workflows/perfloop.yml, .gitlab/perfloop.gitlab-ci.yml (include it from .gitlab-ci.yml) and\n' +
    'performance-budget.json (the method’s budgets, k6 thresholds, alert levels, Apdex T). Existing files are kept\n' +
    'unless --force. Each job measures the service, stores the run (the store is cached between pipelines) and runs\n' +
    'perfloop gate against the merge-base’s stored run.',
  positionals: true,
  options: {
    target: {
      type: 'string',
      arg: 'CMD',
      description: 'command that starts the service',
      default: 'npm start',
    },
    url: { type: 'string', multiple: true, arg: 'URL', description: 'URL to load' },
    ready: { type: 'string', arg: 'URL', description: 'readiness URL' },
    vus: { type: 'string', short: 'c', arg: 'N', description: 'virtual users', default: '10' },
    duration: { type: 'string', short: 'd', arg: 'DUR', description: 'measured load', default: '30s' },
    dir: { type: 'string', arg: 'DIR', description: 'project root to write into', default: '.' },
    force: { type: 'boolean', description: 'overwrite existing files' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, positionals, io) {
    if (positionals[0] !== 'init' || positionals.length > 1)
      throw new PerfloopError('USAGE', 'perfloop ci: the subcommand is "init"', { hint: this.usage });
    const root = resolve(io.cwd, str(v, 'dir')!);
    const duration = str(v, 'duration')!;
    if (!/^\d+(\.\d+)?(ms|s|m|h)$/.test(duration))
      throw new PerfloopError(
        'USAGE',
        `--duration: expected a duration like "30s", got ${JSON.stringify(duration)}`,
      );
    const urls = list(v, 'url');
    const o: CiInitOptions = {
      target: str(v, 'target')!,
      urls: urls.length > 0 ? urls : ['http://127.0.0.1:3000/'],
      ready: str(v, 'ready'),
      vus: int(v, 'vus', 1)!,
      duration,
      store: DEFAULT_STORE_PATH,
    };
    const files: [string, string][] = [
      ['.github/workflows/perfloop.yml', githubWorkflow(o)],
      ['.gitlab/perfloop.gitlab-ci.yml', gitlabJob(o)],
      ['performance-budget.json', `${JSON.stringify(STARTER_BUDGET, null, 2)}\n`],
    ];
    let skipped = 0;
    for (const [rel, text] of files) {
      const path = join(root, rel);
      if (existsSync(path) && !v.force) {
        io.out(`kept    ${rel} (exists; --force overwrites)\n`);
        skipped++;
        continue;
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      io.out(`wrote   ${rel}\n`);
    }
    if (urls.length === 0)
      io.out(
        'note: the jobs load http://127.0.0.1:3000/ — edit the --url in them (or re-run with --url URL --force).\n',
      );
    if (skipped < files.length)
      io.out('GitLab: add `include: [{ local: .gitlab/perfloop.gitlab-ci.yml }]` to .gitlab-ci.yml.\n');
    return EXIT.ok;
  },
};
