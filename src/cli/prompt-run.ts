// `orchestrator run -p "fix the flaky payment test" --repo owner/name`: a TaskRun from a prompt
// (decision 0079). The CLI sends only what it was given; admission derives the task id, the service and
// the workspace (src/api/prompt-task.ts), and `--wait` follows the run to its pull request.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  API_VERSION,
  type Priority,
  type RunKindName,
  type TaskRun,
  type TaskRunSpec,
} from '../api/index.js';
import { defaultGenerateName } from '../runs/index.js';
import type { KubeObject } from '../runtime/index.js';
import { definedFields } from '../util/index.js';
import { GitDefaults } from './git.js';
import { type CliIO, fail } from './io.js';
import { addApiOptions, addContextOptions } from './kube.js';
import { type SubmitFlags, submit } from './submit.js';
import { addWaitOptions } from './wait.js';

export interface PromptFlags extends SubmitFlags {
  prompt?: string;
  promptFile?: string;
  /** `false` for --no-repo: no repository, even in a checkout. */
  repo?: string | false;
  branch?: string;
  agent?: string;
  model?: string;
  priority?: string;
  githubUser?: string;
  service?: string;
  name?: string;
}

/** Whether `run`'s flags ask for a prompt run. */
export const isPromptRun = (flags: PromptFlags): boolean =>
  flags.prompt !== undefined || flags.promptFile !== undefined;

/** The options of a prompt run, in their own help group of `run` (the manager's command). */
export function addPromptOptions(cmd: Command): Command {
  cmd
    .optionsGroup('Start a run from a prompt instead of the manager (with -p or --prompt-file):')
    .option('-p, --prompt <text>', 'the task in words: starts a TaskRun instead of the manager')
    .option('--prompt-file <file>', 'the prompt from a file (- reads standard input)')
    .option('--no-repo', "no repository, even in a checkout: the agent works in the service's directory")
    .option(
      '--repo <repository>',
      'repository to work on, org/repo or a clone URL (default: git remote get-url origin)',
    )
    .option('--branch <branch>', 'branch to start from and open the pull request against (default main)')
    .option('--agent <profile>', "agent profile (default: the controller config's defaultAgent)")
    .option('--model <model>', "model, a full id or an alias such as opus (default: the agent profile's)")
    .option('--priority <priority>', 'scheduling priority: high, standard or low (default standard)')
    .option('--github-user <user>', "GitHub user the agent acts as, instead of its profile's GitHub App")
    .option('--service <name>', "the service the task belongs to (default: the repository's name)")
    .option('--name <name>', 'run name (default: generated from the repository)')
    .option(
      '--dry-run [strategy]',
      'client (the default): print the TaskRun; server: have the cluster admit it without storing',
    );
  addWaitOptions(addApiOptions(addContextOptions(cmd)));
  return cmd;
}

/** The prompt's text: -p, or the file (or standard input) --prompt-file names; never both. */
async function promptText(flags: PromptFlags, io: CliIO): Promise<string> {
  if (flags.prompt !== undefined && flags.promptFile !== undefined)
    throw fail('-p and --prompt-file: give one');
  let text = flags.prompt;
  if (flags.promptFile !== undefined) {
    try {
      text = flags.promptFile === '-' ? await io.readStdin() : readFileSync(flags.promptFile, 'utf8');
    } catch (err) {
      throw fail(`--prompt-file: cannot read ${flags.promptFile}: ${(err as Error).message}`);
    }
  }
  if (text === undefined || text.trim() === '')
    throw fail('-p: the prompt is empty; say what the agent should do');
  return text;
}

/** The TaskRun a prompt asks for: only what was given, so admission derives and defaults the rest. */
export function taskRunFromPrompt(prompt: string, flags: PromptFlags, git: GitDefaults): TaskRun {
  const repo = flags.repo === false ? undefined : (flags.repo ?? git.optional('remoteUrl'));
  const repository =
    repo === undefined
      ? undefined
      : definedFields({ url: repo, branch: flags.branch, githubUser: flags.githubUser });
  if (repository === undefined && (flags.branch !== undefined || flags.githubUser !== undefined))
    throw fail(
      "--branch and --github-user are the repository's: give --repo (or run in a checkout with an origin, without --no-repo)",
    );
  const spec = definedFields({
    prompt,
    serviceName: flags.service,
    repository,
    agent: flags.agent,
    model: flags.model,
    priority: flags.priority as Priority | undefined,
  });
  return {
    apiVersion: API_VERSION,
    kind: 'TaskRun' satisfies RunKindName,
    // Who submitted it is the webhook's to write (the apiserver's user), not the CLI's.
    metadata: flags.name ? { name: flags.name } : { generateName: defaultGenerateName('TaskRun', spec) },
    // No task id, and a service only when given: admission derives them (a run without a repository
    // must name its service, and admission says so).
    spec: spec as TaskRunSpec,
  };
}

/** `run -p`: the TaskRun created (or printed), and with --wait followed to its end. */
export async function startPromptRun(flags: PromptFlags, io: CliIO): Promise<void> {
  const run = taskRunFromPrompt(await promptText(flags, io), flags, new GitDefaults());
  await submit([{ kind: 'TaskRun', object: run as KubeObject, source: 'flags' }], flags, io);
}
