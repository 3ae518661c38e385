/**
 * Python services with py-spy installed: `py-spy record --pid PID --format raw` for the measured window — folded
 * stacks of the Python functions (https://github.com/benfred/py-spy), read by the folded importer. py-spy reads
 * the interpreter's memory from outside, so the service needs no flag and no restart.
 */
import { join } from 'node:path';
import { importFolded } from '../import/folded.js';
import { fileSource } from '../import/source.js';
import { toolInstalled } from './external.js';
import { spawnGroup, type GroupProcess } from './process-group.js';
import { emptyResult, type CaptureContext, type RuntimeCaptureResult, type WindowCapture } from './runtime-capture.js';

const DEFAULT_HZ = 100;

export const pySpyAvailable = () => toolInstalled('py-spy');

export class PySpyAttachCapture implements WindowCapture {
  readonly profiler = 'py-spy' as const;
  private proc: GroupProcess | null = null;
  private readonly out: string;
  private readonly hz: number;

  constructor(private readonly ctx: CaptureContext) {
    this.out = join(ctx.runDir, 'py-spy.folded.txt');
    this.hz = ctx.hz ?? DEFAULT_HZ;
  }

  async start(): Promise<void> {
    // --duration bounds it even if perfloop dies; SIGINT at the window's end makes it write at once.
    const seconds = Math.max(1, Math.ceil(this.ctx.windowS) + 5);
    this.proc = await spawnGroup(
      'py-spy',
      ['record', '--pid', String(this.ctx.runtime.pid), '--format', 'raw', '--rate', String(this.hz), '--duration', String(seconds), '--nonblocking', '--output', this.out],
      { stdio: 'ignore' },
    );
    this.ctx.log?.(`py-spy: recording pid ${this.ctx.runtime.pid} at ${this.hz} Hz`);
  }

  async stop(): Promise<RuntimeCaptureResult> {
    const result = emptyResult('py-spy', `py-spy record --rate ${this.hz} --nonblocking (Python frames, sampled from outside)`);
    result.samplingHz = this.hz;
    try {
      await this.proc?.stop('SIGINT', 10_000);
      const profile = await importFolded(fileSource(this.out));
      result.profile = profile;
      result.artifacts.profile = 'py-spy.folded.txt';
      // py-spy's raw output counts samples of threads that were running (idle ones are left out by default).
      result.sampledCpuMs = (profile.totalWeight * 1000) / this.hz;
    } catch (e) {
      result.warnings.push(`No py-spy profile: ${(e as Error).message}`);
    }
    return result;
  }

  async abort(): Promise<void> {
    await this.proc?.stop('SIGINT', 2000).catch(() => undefined);
  }
}
