// The template context: everything a template may read, computed from the run, the controller config
// and the attempt. It is total — an optional value is present as null, a list as [] — because the
// context is strict (strict-context.ts): reading a field that is not here is an error.

import type {
  AgentRole,
  MarkdownFileType,
  Priority,
  RESULT_SHELL_CONSTANTS,
  RunKindName,
  RunLimitsOrNone,
} from '../api/index.js';
import type { OutputsContext } from './outputs-context.js';
import type { ResolvedTools } from './tool-presets.js';

export interface TaskFileContext {
  filename: string;
  fileType: MarkdownFileType;
  /** The ConfigMap key holding the file (keys.ts). */
  key: string;
}

export interface RepoContext {
  /** Clone URL. */
  url: string;
  /** The branch new work starts from; '' means the remote's default branch. */
  baseBranch: string;
  /** The branch the agent works on, created from baseBranch or resumed when it exists. */
  branch: string;
  /** Check out only this directory of the repository (a sparse checkout), or null for all of it. */
  sparseDir: string | null;
}

export interface TemplateContext {
  run: {
    kind: RunKindName;
    name: string;
    namespace: string;
    /** The attempt being rendered (1, 2, …). */
    attempt: number;
  };
  agent: {
    /** The agent profile (rex, blaze, cleo, tess, morgan, …). */
    name: string;
    /** The profile's agent CLI (src/agent-cli): which agent-shell/cli-{name}.sh the entry script sources. */
    cli: string;
    /** The GitHub App the run acts as (a TaskRun: its profile's), or null. */
    githubApp: string | null;
    /** The GitHub user the run acts as instead of an App (githubUser), or null. */
    githubUser: string | null;
    model: string;
    /** The profile's role (implementation, quality, testing, security, documentation), if any. */
    role: AgentRole | null;
    /** The profile's system prompt template (agents/{name}.md.hbs); null: the agent's own, else default. */
    systemPrompt: string | null;
    /** The profile's system prompt as text (systemPromptText), used verbatim; null: a template's. */
    systemPromptText: string | null;
    /**
     * The command the CLI runs for its attempt's model token (claude: the settings' apiKeyHelper):
     * agent-shell/model-token.sh from the ConfigMap's mount, with the gateway on and a CLI that asks
     * for its token itself; else null.
     */
    modelTokenHelper: string | null;
  };
  task: {
    /** Null for a DocsRun. */
    id: number | null;
    /** Null for a DocsRun. */
    service: string | null;
    /** A TaskRun's markdown files in the order given; [] for other kinds. */
    files: TaskFileContext[];
    /** A CodeRun's task marker file in its repository, which its stop hook keeps; null for other kinds. */
    marker: string | null;
  };
  /** Whether the agent continues its previous session, and which one (null: the latest). */
  /** lineage: whose earlier sessions and memory file it may resume (a directory name; sessionLineage). */
  session: { resume: boolean; id: string | null; lineage: string };
  /** Whether CLAUDE.md replaces an existing memory file (always, except a CodeRun asking to keep it). */
  memory: { overwrite: boolean };
  /** The repository the agent works on; null for a TaskRun without one. */
  repo: RepoContext | null;
  /**
   * A CodeRun's documentation repository (read only); null for other kinds. taskDir: the task's
   * documents relative to the repository root (config taskDocs.directory under projectDir).
   */
  docs: { url: string; branch: string; projectDir: string; taskDir: string } | null;
  /**
   * host: the controller config's github.host, the one host git is given the run's credential for;
   * repositories: the `owner/repo`s (lower case) of an App run's token, the only ones on that host
   * git is given the token for (empty for a user or anonymous run: a user's token is their own);
   * sshKnownHosts: the host keys SSH trusts unless the user's Secret has its own (github.sshKnownHosts).
   */
  git: { userName: string; userEmail: string; host: string; repositories: string[]; sshKnownHosts: string };
  /** closes: the body's line closing the run's issue (issue-link.ts), null for none. */
  pullRequest: { title: string; closes: string | null };
  /**
   * What the publisher may push (config publish, the profile's publishPaths): protected path prefixes,
   * those of them this agent may change, and the most one push may send.
   */
  publish: { protectedPaths: string[]; allowedPaths: string[]; maxPushBytes: number };
  /**
   * What the prepare phase reads from a fresh clone of the base branch (config baseBranch): the
   * instruction files, in order, and the setup script (null: none) with its time limit.
   */
  baseBranch: { instructions: string[]; setupScript: string | null; setupTimeoutSeconds: number };
  /** The profile's outputs policy (what the agent may cause on GitHub): outputs-context.ts. */
  outputs: OutputsContext;
  /**
   * What the attempt's agent may spend (spec.limits over the profile's defaults; null: no limit), the
   * model it falls back to, and whether its work is pushed when a limit stops it (docs/economics.md).
   */
  limits: RunLimitsOrNone & {
    fallbackModel: string | null;
    onLimit: 'push' | 'discard';
  };
  tools: ResolvedTools;
  permissions: { allow: string[]; deny: string[]; defaultMode: 'acceptEdits' };
  paths: {
    /** Where the run's ConfigMap is mounted, one file per key. */
    configMap: string;
    /** Where the workspace volume is mounted. */
    workspace: string;
    /** The run's directory in the workspace: the service's (or docs) base directory. */
    base: string;
    /** This attempt's directory: task files at the top, rendered files under config/. */
    run: string;
    /** The rendered files (run/config). */
    rendered: string;
    /** The run directory as CLAUDE.md (at base) imports it: relative to base. */
    importBase: string;
    /** The repository checkout, or null without a repository. */
    repo: string | null;
    /** The agent's working directory. */
    work: string;
    /** A CodeRun's docs checkout, else null. */
    docs: string | null;
    /** The memory file (CLAUDE.md at base: loaded by the agent as a parent of its working directory). */
    memory: string;
    /** The agent CLI's own state (sessions), per agent, on the workspace volume so sessions survive. */
    agentState: string;
    /** The pod's own volume (not the workspace) of what the prepare phase read from the base branch. */
    baseBranch: string;
  };
  /** Every ConfigMap key with where it goes (relative to paths.run) and its file mode. */
  files: Array<{ key: string; path: string; mode: '0644' | '0755' }>;
  /**
   * The stop hooks (absolute paths once installed, in name order) and the one command that runs them
   * in that order: Claude runs the hooks of one event in parallel, and committing must come before
   * opening the pull request.
   */
  hooks: { stop: string[]; stopCommand: string };
  /** The result protocol's marker and limits, by the shell variable the prelude defines (src/api). */
  result: Record<keyof typeof RESULT_SHELL_CONSTANTS, string | number>;
  taskRun: { priority: Priority; dependsOn: number[] } | null;
  codeRun: {
    contextVersion: number;
    continueSession: boolean;
    workingDirectory: string | null;
    enableDocker: boolean;
    /** spec.remediation (the feedback the run acts on), its absent fields null; null when unset. */
    remediation: {
      trigger: 'comment' | 'review' | 'ci-failure';
      feedback: string;
      author: string | null;
      url: string | null;
      pullRequestUrl: string | null;
    } | null;
  } | null;
  docsRun: {
    workingDirectory: string;
    includeCodebase: boolean;
    sourceBranch: string;
    /** The project's task list, relative to the repository root (config taskDocs.tasksFile). */
    tasksFile: string;
    /** Where each task's documents go, relative to the repository root, with {id} for the task id. */
    taskDocsDirectory: string;
  } | null;
}
