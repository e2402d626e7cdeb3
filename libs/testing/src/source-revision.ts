import { execFileSync } from 'node:child_process';

/**
 * The commit a measurement ran on, for results files: `<sha>`, with `+uncommitted` when the
 * working tree differs from it, or `unknown` outside a git checkout.
 */
export function sourceRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const sha = git('rev-parse', 'HEAD');
    // Results files themselves are rewritten by the run: they do not make the code uncommitted.
    const changed = git('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter((line) => line && !/results\/latest\./.test(line));
    return changed.length > 0 ? `${sha}+uncommitted` : sha;
  } catch {
    return 'unknown';
  }
}
