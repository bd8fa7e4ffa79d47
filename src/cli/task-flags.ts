// The flags of `task code` and `task docs` turned into a CodeRun / DocsRun (pure but for git, so every
// rule can be unit-tested). Flags mirror the spec fields of schemas/coderun.schema.yaml and
// schemas/docsrun.schema.yaml; the schema itself (via admission) stays the judge of the values.
import {
  API_VERSION,
  type CodeRun,
  type CodeRunSpec,
  type DocsRun,
  type DocsRunSpec,
  ENV_NAME,
  type EnvFromSecret,
  type RunKindName,
  type ToolConfig,
} from '../api/index.js';
import { agentFromGithubApp } from '../naming/index.js';
import { namePrefix } from '../runs/index.js';
import { definedFields } from '../util/index.js';
import type { GitDefaults } from './git.js';
import { fail } from './io.js';

/** Who started a run from the CLI (git user.name), for `kubectl describe` readers. @internal Exported for its unit test; no other module needs it. */
export const SUBMITTED_BY_ANNOTATION = 'orchestrator.io/submitted-by';
const TOOL_CONFIGS: readonly ToolConfig[] = ['minimal', 'default', 'advanced'];

export interface CodeFlags {
  service: string;
  repositoryUrl?: string;
  docsRepositoryUrl?: string;
  docsProjectDirectory?: string;
  docsBranch?: string;
  baseBranch?: string;
  workingDirectory?: string;
  model?: string;
  githubApp?: string;
  githubUser?: string;
  contextVersion?: string;
  continueSession?: boolean;
  overwriteMemory?: boolean;
  env?: string[];
  envFromSecret?: string[];
  toolConfig?: string;
  localTools?: string[];
  remoteTools?: string[];
  enableDocker?: boolean;
  name?: string;
}

export interface DocsFlags {
  workingDirectory?: string;
  repositoryUrl?: string;
  sourceBranch?: string;
  model?: string;
  githubApp?: string;
  githubUser?: string;
  includeCodebase?: boolean;
  name?: string;
}

/** An integer >= 1 from a flag or argument, or an error naming it. */
export function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw fail(`${what}: must be an integer >= 1, got "${value}"`);
  return n;
}

/**
 * The entries of a repeatable, comma-separated flag (`--env A=1,B=2 --env C=3`). `\,` is a comma inside
 * an entry (`--env LIST=a\,b`); empty entries (a trailing comma) are skipped.
 */
export function flagEntries(values: readonly string[] = []): string[] {
  return values.flatMap((v) =>
    v
      .split(/(?<!\\),/)
      .map((entry) => entry.replaceAll('\\,', ','))
      .filter((entry) => entry.trim() !== ''),
  );
}

/** `--env K=V,K2=V2` (repeatable) → { K: V, K2: V2 }; a name given twice is an error. */
export function parseEnv(values: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of flagEntries(values)) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq) : '';
    if (!ENV_NAME.test(key))
      throw fail(
        `--env "${entry}": each entry must be NAME=value with NAME matching ${ENV_NAME.source} (entries are comma-separated; write \\, for a comma in a value)`,
      );
    if (Object.hasOwn(env, key)) throw fail(`--env "${entry}": ${key} is given twice`);
    env[key] = entry.slice(eq + 1);
  }
  return env;
}

/**
 * `--env-from-secret [VAR=]secret:key` (repeatable, comma-separated); VAR defaults to the key when that
 * is a valid name.
 */
export function parseEnvFromSecrets(values: readonly string[] = []): EnvFromSecret[] {
  const seen = new Set<string>();
  return flagEntries(values).map((entry) => {
    const m = /^(?:([^=]+)=)?([^:=]+):(.+)$/.exec(entry);
    const name = m?.[1] ?? m?.[3];
    if (!m || !name || !ENV_NAME.test(name))
      throw fail(
        `--env-from-secret "${entry}": each entry must be [VAR=]secret:key (VAR, or else the key, a valid variable name)`,
      );
    if (seen.has(name)) throw fail(`--env-from-secret "${entry}": ${name} is given twice`);
    seen.add(name);
    return { name, secretName: m[2] as string, secretKey: m[3] as string };
  });
}

/** `--local-tools a,b --local-tools c` → [a, b, c]. */
export const splitList = (values: readonly string[] = []): string[] =>
  values.flatMap((v) => v.split(',').map((s) => s.trim())).filter(Boolean);

function metadata(name: string | undefined, prefix: string, git: GitDefaults) {
  const user = git.optional('userName');
  return {
    ...(name ? { name } : { generateName: prefix }),
    ...(user ? { annotations: { [SUBMITTED_BY_ANNOTATION]: user } } : {}),
  };
}

/** Whether the run needs the cluster's default App (task-defaults.ts): neither flag given. */
export const needsDefaultApp = (flags: { githubApp?: string; githubUser?: string }) =>
  flags.githubApp === undefined && flags.githubUser === undefined;

/**
 * The cluster's default App (task-defaults.ts), or `null` when a client --dry-run could not read it
 * and prints the run without one.
 */
export type DefaultApp = string | null | undefined;

/**
 * Who the agent acts as: exactly one of a GitHub App and a GitHub user (the seed's `--github-user`),
 * the cluster's default App when neither is given. Also the word that names the run (agent or user).
 */
function identity(flags: { githubApp?: string; githubUser?: string }, defaultApp: DefaultApp) {
  if (flags.githubUser === undefined) {
    const githubApp = flags.githubApp ?? defaultApp;
    if (githubApp === null) return { fields: {}, word: undefined };
    if (githubApp === undefined) throw fail('--github-app or --github-user: give one');
    return { fields: { githubApp }, word: agentFromGithubApp(githubApp) };
  }
  if (flags.githubApp !== undefined)
    throw fail('--github-app and --github-user: give one (the agent acts as a GitHub App or as a user)');
  return { fields: { githubUser: flags.githubUser }, word: flags.githubUser };
}

export function codeRunFromFlags(
  taskIdArg: string,
  flags: CodeFlags,
  git: GitDefaults,
  defaultApp?: DefaultApp,
): CodeRun {
  const taskId = positiveInt(taskIdArg, 'taskId');
  const repositoryUrl = git.require(
    flags.repositoryUrl,
    '--repository-url',
    'remoteUrl',
    'git remote get-url origin',
  );
  // Docs beside the code is the common layout: the same repository, on the branch checked out.
  const docsFromGit = flags.docsRepositoryUrl === undefined;
  const docsRepositoryUrl = flags.docsRepositoryUrl ?? repositoryUrl;
  const docsBranch = flags.docsBranch ?? (docsFromGit ? git.optional('branch') : undefined);
  if (flags.toolConfig !== undefined && !TOOL_CONFIGS.includes(flags.toolConfig as ToolConfig))
    throw fail(`--tool-config: must be one of ${TOOL_CONFIGS.join(', ')}, got "${flags.toolConfig}"`);
  const env = parseEnv(flags.env);
  const envFromSecrets = parseEnvFromSecrets(flags.envFromSecret);
  const localTools = splitList(flags.localTools);
  const remoteTools = splitList(flags.remoteTools);
  const who = identity(flags, defaultApp);
  const spec = definedFields({
    taskId,
    service: flags.service,
    repositoryUrl,
    docsRepositoryUrl,
    docsProjectDirectory: flags.docsProjectDirectory,
    docsBranch,
    baseBranch: flags.baseBranch,
    workingDirectory: flags.workingDirectory,
    model: flags.model,
    ...who.fields,
    contextVersion:
      flags.contextVersion === undefined ? undefined : positiveInt(flags.contextVersion, '--context-version'),
    continueSession: flags.continueSession,
    overwriteMemory: flags.overwriteMemory,
    env: Object.keys(env).length ? env : undefined,
    envFromSecrets: envFromSecrets.length ? envFromSecrets : undefined,
    toolConfig: flags.toolConfig as ToolConfig | undefined,
    localTools: localTools.length ? localTools : undefined,
    remoteTools: remoteTools.length ? remoteTools : undefined,
    enableDocker: flags.enableDocker,
  });
  const prefix = namePrefix(flags.service, 'task', String(taskId), ...(who.word ? [who.word] : []));
  return {
    apiVersion: API_VERSION,
    kind: 'CodeRun' satisfies RunKindName,
    metadata: metadata(flags.name, prefix, git),
    // A user's run has no githubApp: the schema, with its exactly-one-of rule, judges (admission).
    spec: spec as CodeRunSpec,
  };
}

export function docsRunFromFlags(flags: DocsFlags, git: GitDefaults, defaultApp?: DefaultApp): DocsRun {
  // The seed's habit: run `task docs` from the project directory inside the checkout.
  const workingDirectory = flags.workingDirectory ?? git.optional('prefix');
  if (workingDirectory === undefined)
    throw fail(
      '--working-directory is required: run the command from the project directory inside the git checkout, or give the directory',
    );
  const who = identity(flags, defaultApp);
  const spec = definedFields({
    repositoryUrl: git.require(
      flags.repositoryUrl,
      '--repository-url',
      'remoteUrl',
      'git remote get-url origin',
    ),
    workingDirectory,
    sourceBranch: flags.sourceBranch ?? git.optional('branch'),
    model: flags.model,
    ...who.fields,
    includeCodebase: flags.includeCodebase,
  });
  const prefix = namePrefix('docs', workingDirectory);
  return {
    apiVersion: API_VERSION,
    kind: 'DocsRun' satisfies RunKindName,
    metadata: metadata(flags.name, prefix, git),
    spec: spec as DocsRunSpec,
  };
}
