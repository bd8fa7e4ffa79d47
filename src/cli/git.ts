// Defaults for `task code` / `task docs` from the git repository in the current directory: the origin
// remote's URL, the current branch, the user's name and the directory within the checkout, so a run can be started from a checkout with
// only the flags git cannot know.
import { spawnSync } from 'node:child_process';
import { fail } from './io.js';

export interface GitFacts {
  /** `git remote get-url origin`, without any credentials embedded in it. */
  remoteUrl?: string;
  /** The current branch (undefined on a detached HEAD). */
  branch?: string;
  /** `git config user.name`. */
  userName?: string;
  /** The current directory's path inside the work tree (`_projects/trader`); undefined at its root. */
  prefix?: string;
}

function git(cwd: string, args: string[]): string | undefined {
  const res = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  const out = res.status === 0 ? res.stdout.trim() : '';
  return out || undefined;
}

/** https://user:token@host/x → https://host/x: a token must never be copied into a run's spec. */
export function withoutCredentials(url: string): string {
  return url.replace(/^(https?:\/\/|ssh:\/\/)[^/@]+:[^/@]*@/, '$1').replace(/^(https?:\/\/)[^/@:]+@/, '$1');
}

/** What git knows in `cwd`; undefined when `cwd` is not inside a git work tree (or git is missing). */
export function gitFacts(cwd: string = process.cwd()): GitFacts | undefined {
  if (git(cwd, ['rev-parse', '--is-inside-work-tree']) !== 'true') return undefined;
  const remote = git(cwd, ['remote', 'get-url', 'origin']);
  return {
    remoteUrl: remote ? withoutCredentials(remote) : undefined,
    // symbolic-ref, not rev-parse: it also answers in a repository without commits yet.
    branch: git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD']),
    userName: git(cwd, ['config', 'user.name']),
    prefix: git(cwd, ['rev-parse', '--show-prefix'])?.replace(/\/$/, ''),
  };
}

/** Lazily asks git once, for the flags left out. */
export class GitDefaults {
  private facts: GitFacts | undefined | null = null;

  constructor(private readonly cwd: string = process.cwd()) {}

  private get(): GitFacts | undefined {
    if (this.facts === null) this.facts = gitFacts(this.cwd);
    return this.facts;
  }

  /** The flag's value, else git's; a clear error naming the flag when neither is there. */
  require(value: string | undefined, flag: string, fact: keyof GitFacts, source: string): string {
    if (value !== undefined) return value;
    const facts = this.get();
    const found = facts?.[fact];
    if (found) return found;
    const why = facts ? `${source} gives nothing in ${this.cwd}` : `${this.cwd} is not in a git repository`;
    throw fail(`${flag} is required: ${why} to default it from`);
  }

  /** git's value when there is one, else undefined (for optional flags). */
  optional(fact: keyof GitFacts): string | undefined {
    return this.get()?.[fact];
  }
}
