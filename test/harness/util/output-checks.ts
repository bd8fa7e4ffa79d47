// Checks of rendered outputs that need outside tools: `bash -n` (syntax) and shellcheck (quoting,
// unused or unset variables, …) for the shell scripts, JSON.parse for the JSON files. Used by the render
// tests over every kind × agent × preset.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Throws a message that says how to install shellcheck when it is missing (never a silent skip). */
export function requireShellcheck(): string {
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'shellcheck is not installed, and the rendered shell scripts must pass it: install it ' +
        '(Debian/Ubuntu: apt-get install -y shellcheck; macOS: brew install shellcheck) and run again',
    );
  }
  return /version: (\S+)/.exec(probe.stdout)?.[1] ?? 'unknown';
}

export interface Script {
  /** Where it came from, for messages (e.g. "TaskRun rex default: container.sh"). */
  name: string;
  content: string;
}

/**
 * bash -n and shellcheck (all severities, bash dialect) over every distinct script; returns one
 * problem per failing script, naming every place it came from. Identical renders are checked once.
 * `sourced` are the files the scripts source (by ConfigMap key: the agent shell files), written beside
 * them so that shellcheck follows the `# shellcheck source=` directives; they are linted as source by
 * `npm run lint`, so their own findings are not repeated here.
 *
 * Following the sources costs shellcheck some ten times a script's own analysis, and the renders of a
 * matrix differ mostly in their single-quoted values. So the check is split without losing a finding:
 * every distinct script is checked on its own (all codes but the two that only following the sources
 * decides: SC1091 "not following", SC2034 "appears unused", both about names, which lie outside the
 * quotes), and one script per skeleton (the script with each single-quoted literal of a line blanked) is checked
 * with its sources followed, where those two codes are decided.
 */
export function shellProblems(scripts: readonly Script[], sourced: Record<string, string> = {}): string[] {
  requireShellcheck();
  const byContent = new Map<string, { file: string; names: string[]; skeleton: string }>();
  const dir = mkdtempSync(path.join(tmpdir(), 'render-sh-'));
  try {
    for (const [key, content] of Object.entries(sourced)) writeFileSync(path.join(dir, key), content);
    for (const { name, content } of scripts) {
      const hash = digest(content);
      const known = byContent.get(hash);
      if (known) {
        known.names.push(name);
        continue;
      }
      const file = path.join(dir, `${hash}.sh`);
      writeFileSync(file, content);
      byContent.set(hash, { file, names: [name], skeleton: digest(content.replace(/'[^'\n]*'/g, "''")) });
    }
    const problems: string[] = [];
    const where = (file: string) => [...byContent.values()].find((e) => e.file === file)?.names.join(', ');
    for (const { file, names } of byContent.values()) {
      const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      if (syntax.status !== 0) problems.push(`${names.join(', ')}: bash -n: ${syntax.stderr.trim()}`);
    }
    const all = [...byContent.values()].map((e) => e.file);
    const perSkeleton = [...new Map([...byContent.values()].map((e) => [e.skeleton, e.file])).values()];
    for (const { args, files } of [
      { args: [`--exclude=${SOURCE_DECIDED.join(',')}`], files: all },
      {
        args: ['-x', '--source-path=SCRIPTDIR', `--include=${SOURCE_DECIDED.join(',')}`],
        files: perSkeleton,
      },
    ]) {
      const check = spawnSync(
        'shellcheck',
        ['--shell=bash', '--severity=style', '--format=gcc', ...args, ...files],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      if (check.error) throw check.error;
      for (const line of check.stdout.split('\n').filter(Boolean)) {
        const file = line.slice(0, line.indexOf(':'));
        problems.push(`${where(file) ?? file}: shellcheck ${line.slice(file.length + 1)}`);
      }
      if (check.status !== 0 && !check.stdout.trim())
        problems.push(`shellcheck failed: ${check.stderr.trim()}`);
    }
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The shellcheck codes that following the sourced files decides (see shellProblems). */
const SOURCE_DECIDED = ['SC1091', 'SC2034'];

const digest = (content: string) => createHash('sha256').update(content).digest('hex').slice(0, 16);

/** JSON files that do not parse, with the parser's message. */
export function jsonProblems(files: ReadonlyArray<{ name: string; content: string }>): string[] {
  return files.flatMap(({ name, content }) => {
    try {
      JSON.parse(content);
      return [];
    } catch (err) {
      return [`${name}: ${(err as Error).message}`];
    }
  });
}
