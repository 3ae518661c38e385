import { basename } from 'node:path';
import { EXIT, PerfloopError } from '../../core/errors.js';
import { parseDuration } from '../../load/duration.js';
import { analyseProfile } from '../../profile/analyse/index.js';
import { captureWith } from '../../profile/capture/external.js';
import { captureFromPid } from '../../profile/capture/inspector-attach.js';
import { captureNode, type CaptureResult } from '../../profile/capture/node-agent.js';
import { importProfileFile } from '../../profile/import/index.js';
import { flameData, frameCategories } from '../../profile/render/flame-data.js';
import { flameHtml } from '../../profile/render/flame-html.js';
import { analysisText } from '../../profile/render/text-report.js';
import type { Command } from '../command.js';
import { int, str } from '../parse.js';
import { analysisJson } from './flame.js';
import { writeFileSync } from 'node:fs';

const EXT: Record<string, string> = { perf: '.perf.txt', 'py-spy': '.folded' };

export const profileCommand: Command = {
  name: 'profile',
  summary:
    'take a CPU profile: of a command (Node through the agent; others --with perf|py-spy) or of a running Node process (--pid)',
  usage:
    'perfloop profile [--duration 30s] [--out FILE] [--html OUT] [--json] (-- CMD… | --pid PID [--inspect-port 9229] | --with perf|py-spy -- CMD…)',
  details: [
    'A Node server is profiled through the perfloop agent from the moment it listens, for --duration; a Node script',
    'that ends sooner is profiled for its whole run. --pid opens the inspector of a running Node process (SIGUSR1)',
    'and attaches to 127.0.0.1. --with perf / --with py-spy run those profilers, so any runtime gets the same analysis.',
  ].join('\n'),
  positionals: true,
  options: {
    duration: { type: 'string', arg: 'TIME', description: 'how long to profile (30s, 2m …)', default: '30s' },
    out: {
      type: 'string',
      arg: 'FILE',
      description: 'where the profile goes (default profile-<time>.cpuprofile, .perf.txt or .folded)',
    },
    pid: { type: 'string', arg: 'PID', description: 'profile this running Node process' },
    'inspect-port': {
      type: 'string',
      arg: 'PORT',
      description: 'the inspector port of --pid',
      default: '9229',
    },
    with: {
      type: 'string',
      arg: 'TOOL',
      description: 'profile with perf or py-spy instead of the Node agent',
    },
    interval: { type: 'string', arg: 'US', description: 'sampling interval in µs (Node)', default: '1000' },
    top: { type: 'string', arg: 'N', description: 'how many top consumers to print', default: '10' },
    html: { type: 'string', arg: 'OUT', description: 'also write the flame graph' },
    json: { type: 'boolean', description: 'print the analysis as JSON (perfloop/profile-analysis@1)' },
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  },
  async run(v, argv, io) {
    const durationMs = parseDuration(str(v, 'duration') ?? '30s');
    if (durationMs === undefined || durationMs <= 0)
      throw new PerfloopError('USAGE', `--duration: not a duration: ${JSON.stringify(str(v, 'duration'))}`, {
        hint: 'e.g. 30s, 2m, 1m30s',
      });
    const pid = int(v, 'pid', 1);
    const tool = str(v, 'with');
    if (tool !== undefined && tool !== 'perf' && tool !== 'py-spy')
      throw new PerfloopError('USAGE', `--with: ${JSON.stringify(tool)} is not perf or py-spy`);
    if (pid !== undefined && argv.length > 0)
      throw new PerfloopError('USAGE', 'give either --pid or a command after --, not both');
    if (pid !== undefined && tool)
      throw new PerfloopError(
        'USAGE',
        '--pid profiles a Node process through its inspector; --with needs a command',
      );
    if (pid === undefined && argv.length === 0)
      throw new PerfloopError('USAGE', 'nothing to profile: give a command after -- or --pid PID', {
        hint: this.usage,
      });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const out = str(v, 'out') ?? `profile-${stamp}${tool ? EXT[tool] : '.cpuprofile'}`;
    const log = (line: string) => io.err(`perfloop: ${line}\n`);
    const intervalUs = int(v, 'interval', 10) ?? 1000;
    let result: CaptureResult;
    if (pid !== undefined)
      result = await captureFromPid({
        pid,
        out,
        durationMs,
        port: int(v, 'inspect-port', 1),
        intervalUs,
        signal: io.signal,
        log,
      });
    else if (tool) result = await captureWith({ tool, argv, out, durationMs, signal: io.signal, log });
    else
      result = await captureNode({ argv, out, durationMs, intervalUs, signal: io.signal, cwd: io.cwd, log });

    const profile = await importProfileFile(result.path);
    if (profile.sampleCount === 0)
      throw new PerfloopError(
        'PROFILE_EMPTY',
        `${result.path}: the profile has no samples (did the target run any code?)`,
        { exitCode: 1 },
      );
    const analysis = analyseProfile(profile, { top: int(v, 'top', 1) ?? 10 });
    const html = str(v, 'html');
    if (html)
      writeFileSync(
        html,
        flameHtml(flameData(profile, `CPU · ${basename(result.path)}`, frameCategories(profile))),
      );
    if (v.json)
      io.out(
        `${JSON.stringify({ ...analysisJson(profile, analysis), profile: result.path, via: result.via }, null, 2)}\n`,
      );
    else {
      io.out(analysisText(analysis, `${basename(result.path)} (${result.via})`));
      io.out(
        `\nProfile: ${result.path}${html ? ` · flame graph: ${html}` : ''} — open it with: perfloop flame ${result.path} --html flame.html\n`,
      );
    }
    return EXIT.ok;
  },
};
