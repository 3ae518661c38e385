import { execFileSync } from 'node:child_process';

/** The commit and branch of the working directory, when it is a git checkout. */
export function gitInfo(cwd: string): { sha: string | null; branch: string | null; dirty: boolean } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
    } catch {
      return null;
    }
  };
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  const sha = git('rev-parse', 'HEAD');
  const dirty = sha !== null && (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '';
  return { sha, branch: branch === 'HEAD' ? null : branch, dirty };
}
