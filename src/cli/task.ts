// `orchestrator task code|docs|submit`: start runs. `code` and `docs` build a CodeRun / DocsRun from flags
// (defaults from the git checkout in the current directory); `submit` creates the runs of YAML/JSON files.
// The server (its admission webhooks) is the judge; its answers are printed as kubectl prints them.
import type { Command } from 'commander';
import type { KubeObject } from '../runtime/index.js';
import { addInstallOptions, type InstallFlags } from './cluster-config.js';
import { type RunDocument, readRunFiles } from './create.js';
import { GitDefaults } from './git.js';
import { type CliIO, collect, fail } from './io.js';
import { addApiOptions, addKubeOptions } from './kube.js';
import { type SubmitFlags as CommonFlags, submit } from './submit.js';
import { taskGithubApp } from './task-defaults.js';
import {
  type CodeFlags,
  codeRunFromFlags,
  type DefaultApp,
  type DocsFlags,
  docsRunFromFlags,
} from './task-flags.js';
import { addWaitOptions } from './wait.js';

const MODEL_HELP = "model, a full id or an alias such as opus (default: the agent profile's)";
const GITHUB_APP_HELP =
  "GitHub App the agent acts as; selects the agent (default: the cluster's, from the installed manager's config)";
const GITHUB_USER_HELP =
  'GitHub user the agent acts as instead of a GitHub App (its Secrets github-ssh-{user} or github-pat-{user})';

const fromFlags = (object: KubeObject, kind: 'CodeRun' | 'DocsRun', app: DefaultApp): RunDocument[] => [
  { kind, object, source: 'flags', ...(app === null ? { appLeftOut: true } : {}) },
];

function codeCommand(task: Command, io: CliIO): void {
  const cmd = task
    .command('code')
    .description('start a CodeRun: an agent implements a task on a repository')
    .argument('<taskId>', 'the task identifier (an integer >= 1)')
    .requiredOption('-s, --service <name>', 'the service (project) worked on; names the workspace volume')
    .option(
      '--repo, --repository-url <url>',
      'repository to implement in, a clone URL or org/repo (default: git remote get-url origin)',
    )
    .option(
      '--platform-repository-url, --docs-repository-url <url>',
      'repository holding the task docs (default: --repository-url)',
    )
    .option('--docs-project-directory <dir>', "the project's directory in the docs repository")
    .option(
      '--branch, --docs-branch <branch>',
      'docs branch (default: the current git branch when the docs are in this repository, else main)',
    )
    .option(
      '--base-branch <branch>',
      "the repository's branch the work starts from and the pull request targets (default: its default branch)",
    )
    .option('-w, --working-directory <dir>', 'directory in the repository the agent works in')
    .option('--model <model>', MODEL_HELP)
    .option('--github-app <app>', GITHUB_APP_HELP)
    .option('--github-user <user>', GITHUB_USER_HELP)
    .option('--context-version <n>', 'task context version; raise it for fresh context (default 1)')
    .option('--continue-session', 'resume the previous agent session')
    .option('--overwrite-memory', "overwrite the agent's memory file from the template")
    .option(
      '--env <NAME=value,...>',
      'environment variables for the agent, comma-separated (\\, for a comma in a value; repeatable)',
      collect,
    )
    .option(
      '--env-from-secret <[VAR=]secret:key,...>',
      'environment variables from Secret keys, comma-separated (VAR defaults to the key; repeatable)',
      collect,
    )
    .option('--tool-config <preset>', 'tool preset: minimal, default or advanced')
    .option('--local-tools <names>', 'extra local tools, comma-separated (repeatable)', collect)
    .option('--remote-tools <names>', 'extra remote (MCP) tools, comma-separated (repeatable)', collect)
    .option('--enable-docker', 'run a Docker daemon beside the agent (the controller config must allow it)')
    .option('--name <name>', 'run name (default: generated from service, task and agent)')
    .option(
      '--dry-run [strategy]',
      'client (the default): print the CodeRun; server: have the cluster admit it without storing',
    );
  addWaitOptions(addApiOptions(addInstallOptions(addKubeOptions(cmd)))).action(
    async (taskId: string, flags: CodeFlags & CommonFlags & InstallFlags) => {
      const app = await taskGithubApp(flags, 'CodeRun', io);
      const run = codeRunFromFlags(taskId, flags, new GitDefaults(), app);
      await submit(fromFlags(run as KubeObject, 'CodeRun', app), flags, io);
    },
  );
}

function docsCommand(task: Command, io: CliIO): void {
  const cmd = task
    .command('docs')
    .description('start a DocsRun: an agent writes the task documentation of a project directory')
    .option(
      '-w, --working-directory <dir>',
      'the project directory to document (default: the current directory, within the git checkout)',
    )
    .option(
      '--repo, --repository-url <url>',
      'repository to document, a clone URL or org/repo (default: git remote get-url origin)',
    )
    .option(
      '--source-branch <branch>',
      'branch to read and base the pull request on (default: the current git branch)',
    )
    .option('--model <model>', MODEL_HELP)
    .option('--github-app <app>', GITHUB_APP_HELP)
    .option('--github-user <user>', GITHUB_USER_HELP)
    .option('--include-codebase', "give the agent the repository's source code as context")
    .option('--name <name>', 'run name (default: generated from the directory)')
    .option(
      '--dry-run [strategy]',
      'client (the default): print the DocsRun; server: have the cluster admit it without storing',
    );
  addWaitOptions(addApiOptions(addInstallOptions(addKubeOptions(cmd)))).action(
    async (flags: DocsFlags & CommonFlags & InstallFlags) => {
      const app = await taskGithubApp(flags, 'DocsRun', io);
      const run = docsRunFromFlags(flags, new GitDefaults(), app);
      await submit(fromFlags(run as KubeObject, 'DocsRun', app), flags, io);
    },
  );
}

function submitCommand(task: Command, io: CliIO): void {
  const cmd = task
    .command('submit')
    .description('create the runs of YAML or JSON files (multi-document; - reads standard input)')
    .requiredOption('-f, --filename <file>', 'a file of runs, or - (repeatable)', collect)
    .option(
      '--dry-run [strategy]',
      'client (the default): print the runs; server: have the cluster admit them without storing',
    );
  addWaitOptions(addApiOptions(addKubeOptions(cmd))).action(
    async (flags: CommonFlags & { filename: string[] }) => {
      const docs = await readRunFiles(flags.filename, io);
      if (docs.length === 0) throw fail(`no runs in ${flags.filename.join(', ')}`);
      await submit(docs, flags, io);
    },
  );
}

export function registerTaskCommands(program: Command, io: CliIO): void {
  const task = program.command('task').description('start runs: task code, task docs, task submit');
  codeCommand(task, io);
  docsCommand(task, io);
  submitCommand(task, io);
}
