import { execFileSync } from 'node:child_process';

/**
 * The few git questions the gate asks: which commit a ref names, where a branch forked, and the commits
 * before it (to find the nearest one that has a stored run). Every call returns null instead of throwing:
 * a checkout without git, or a shallow clone, is normal in CI.
 */
function git(cwd: string, ...args: string[]): string | null {
  try {
    return (
      execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

export function revParse(cwd: string, ref: string): string | null {
  if (ref.startsWith('-')) return null;
  return git(cwd, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
}

export function mergeBase(cwd: string, a: string, b: string): string | null {
  if (a.startsWith('-') || b.startsWith('-')) return null;
  return git(cwd, 'merge-base', a, b);
}

/** `sha` and up to `limit − 1` of its first-parent ancestors, newest first. */
export function ancestors(cwd: string, sha: string, limit = 200): string[] {
  return git(cwd, 'rev-list', '--first-parent', `--max-count=${limit}`, sha)?.split('\n') ?? [];
}

/** The default branch to compare against: main, master, or their origin/ copies — the first that exists. */
export function defaultBaseBranch(cwd: string): string | null {
  for (const b of ['main', 'master', 'origin/main', 'origin/master']) if (revParse(cwd, b)) return b;
  return null;
}

/** https URL of the repository on GitHub/GitLab (from `origin`), for commit links; null when unknown. */
export function repositoryUrl(cwd: string): string | null {
  const url = git(cwd, 'remote', 'get-url', 'origin');
  if (!url) return null;
  const m = /^(?:git@([^:]+):|https?:\/\/(?:[^@/]+@)?([^/]+)\/)(.+?)(?:\.git)?\/?$/.exec(url);
  return m ? `https://${m[1] ?? m[2]}/${m[3]}` : null;
}

/** A link to a commit on the forge that hosts `repoUrl` (GitLab uses /-/commit/). */
export function commitUrl(repoUrl: string, sha: string): string {
  return repoUrl.includes('gitlab') ? `${repoUrl}/-/commit/${sha}` : `${repoUrl}/commit/${sha}`;
}
