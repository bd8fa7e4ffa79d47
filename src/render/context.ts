// The parts of a template context (context-types.ts) that every kind shares: identity, agent, model,
// tools, mount points, the ConfigMap file list and the hooks. The kinds' own parts are in
// context-kinds.ts. The run comes resolved (src/api/resolved-run.ts: defaulted, so a run stored without
// the webhooks gets its defaults too, with its agent, profile, CLI and GitHub authentication): nothing
// the resolver answers is derived again here.

import { createHash } from 'node:crypto';
import {
  type AgentProfile,
  type AgentTool,
  ANNOTATIONS,
  appRepositories,
  type ControllerConfig,
  mcpServersOf,
  RESULT_SHELL_CONSTANTS,
  type ResolvedRun,
  type Run,
  type RunLimits,
  runLimitsOrNone,
  type ToolConfig,
} from '../api/index.js';
import { BASE_BRANCH_DIR, slug, TASK_FILES_DIR, WORKSPACE_ROOT } from '../naming/index.js';
import type { TemplateContext } from './context-types.js';
import { RenderError } from './errors.js';
import { configMapKeyToPath, RENDERED_DIR, renderedFileKey } from './keys.js';
import { outputsContext } from './outputs-context.js';
import { METADATA_FILE, METADATA_KEY } from './run-metadata.js';
import { shellQuote } from './shell.js';
import { type ResolvedTools, resolveTools, type ToolPresets } from './tool-presets.js';

/** Where things are mounted in the agent's pod; the reconciler mounts them there. */
export interface RenderOptions {
  /** The workspace volume's mount path. Default /workspace. */
  workspaceRoot?: string;
  /** The run ConfigMap's mount path (mounted whole, without items). Default /task-files. */
  configMapDir?: string;
  /** The pod's own volume of what the prepare phase read from the base branch. Default /base-branch. */
  baseBranchDir?: string;
}

/** What the template set contributes: the paths it renders for the kind, and the tool presets. */
export interface ContextInput {
  outputs: readonly string[];
  presets: ToolPresets;
  options?: RenderOptions | undefined;
}

/** The agent shell's program a CLI that asks for its model token itself runs (asksForToken). */
const MODEL_TOKEN_HELPER = 'agent-shell/model-token.sh';

export const featureBranch = (taskId: number) => `feature/task-${taskId}-implementation`;
export const docsBranch = (workingDirectory: string) => `docs/${slug(workingDirectory) || 'root'}`;

export interface CommonInput {
  resolved: ResolvedRun;
  config: ControllerConfig;
  attempt: number;
  /** The run's model: defaulting gave it the profile's when it named none. */
  model: string | undefined;
  /** The run's own preset (CodeRun toolConfig); else the agent profile's. */
  preset?: ToolConfig | undefined;
  extraLocal?: string[] | undefined;
  extraRemote?: string[] | undefined;
}

/** The run's agent and its profile, which rendering cannot do without. */
function profileOf({ agent, profile }: ResolvedRun, config: ControllerConfig) {
  if (agent === undefined || !profile) {
    const known = Object.keys(config.agents).join(', ');
    throw new RenderError(`agent "${agent}" has no profile in the controller config (known: ${known})`);
  }
  return { agent, profile };
}

export type Common = ReturnType<typeof common>;

export function common(c: CommonInput, input: ContextInput) {
  if (!Number.isInteger(c.attempt) || c.attempt < 1)
    throw new RenderError(`attempt must be an integer >= 1, got ${c.attempt}`);
  const { kind, run, auth, cli } = c.resolved;
  const name = run.metadata?.name;
  if (!name) throw new RenderError(`the ${kind} has no metadata.name`);
  const { agent, profile } = profileOf(c.resolved, c.config);
  const model = c.model;
  if (!model) throw new RenderError(`no model: the run names none and agent "${agent}" has no default model`);
  const preset = c.preset ?? profile.tools;
  const namespace = run.metadata?.namespace ?? 'default';
  const team = mcpServersOf(c.config, agent, namespace);
  const tools = resolveTools(input.presets, preset, c.extraLocal, c.extraRemote, team);
  // Commits are attributed to the GitHub user, or the GitHub App's bot account, the run acts as.
  const githubApp = auth.method === 'app' ? auth.app : null;
  const githubUser = auth.method === 'user' ? auth.user : null;
  const author = githubUser ?? (githubApp ? `${githubApp}[bot]` : `orchestrator-${agent}`);
  const configMap = input.options?.configMapDir ?? TASK_FILES_DIR;
  return {
    run: { kind, name, namespace, attempt: c.attempt },
    agent: {
      name: agent,
      cli: cli.name,
      githubApp,
      githubUser,
      model,
      role: profile.role ?? null,
      systemPrompt: profile.systemPrompt ?? null,
      systemPromptText: profile.systemPromptText ?? null,
      modelTokenHelper:
        c.config.gateway.enabled && cli.asksForToken
          ? `bash ${shellQuote(`${configMap}/${renderedFileKey(MODEL_TOKEN_HELPER)}`)}`
          : null,
    },
    tools,
    // host: the only host the run's GitHub credential is given to (agent-shell/github-auth.sh);
    // repositories: on it, the only ones an App token is given to (those it was minted for).
    git: {
      userName: author,
      userEmail: `${author}@users.noreply.github.com`,
      host: c.config.github.host,
      repositories: (appRepositories(kind, run.spec, c.config, auth)?.repositories ?? []).map((r) =>
        r.key.slice(r.key.indexOf('/') + 1),
      ),
      sshKnownHosts: c.config.github.sshKnownHosts,
    },
    publish: {
      protectedPaths: c.config.publish.protectedPaths,
      allowedPaths: profile.publishPaths ?? [],
      maxPushBytes: c.config.publish.maxPushBytes,
    },
    // What the prepare phase reads from the base branch (agent-shell/lib.sh read_base_branch_files).
    baseBranch: {
      instructions: c.config.baseBranch.instructions,
      setupScript: c.config.baseBranch.setupScript || null,
      setupTimeoutSeconds: c.config.baseBranch.setupTimeoutSeconds,
    },
    outputs: outputsContext(profile.outputs),
    limits: attemptLimits(run.spec, profile),
    workspace: input.options?.workspaceRoot ?? WORKSPACE_ROOT,
    configMap,
  };
}

/** The run's limits (defaulting gave it its profile's defaults) and what the profile says on reaching one. */
function attemptLimits(spec: { limits?: RunLimits }, profile: AgentProfile): TemplateContext['limits'] {
  return {
    ...runLimitsOrNone(spec.limits),
    fallbackModel: profile.limits?.fallbackModel ?? null,
    onLimit: profile.limits?.onLimit ?? 'push',
  };
}

/**
 * Whether the attempt continues the agent's session, and which one: the session id the last attempt
 * reported (status.sessionId, result protocol) when there is one, else `fallback` (a session the run
 * was created to continue), else null (the entry script then continues the latest session in the
 * workspace).
 */
export function session(run: Run, resume: boolean, fallback?: string): TemplateContext['session'] {
  return {
    resume,
    id: resume ? (run.status?.sessionId ?? fallback ?? null) : null,
    lineage: sessionLineage(run.metadata?.annotations?.[ANNOTATIONS.submittedBy]),
  };
}

/**
 * Whose sessions and kept memory file a run may resume: its submitter's (docs/security.md, "The
 * workspace is hostile"). A name for a directory: 16 hex digits of the SHA-256 of the submitter, or
 * `unknown` for a run stored without the webhooks.
 */
export const sessionLineage = (submitter: string | undefined): string =>
  submitter ? createHash('sha256').update(submitter).digest('hex').slice(0, 16) : 'unknown';

/** A TaskRun's agentTools override the preset for the tools they name; restrictions become deny rules. */
export function applyAgentTools(
  tools: ResolvedTools,
  agentTools: readonly AgentTool[] = [],
): TemplateContext['permissions'] {
  const allow = new Set(tools.allow);
  const deny = new Set(tools.deny);
  for (const tool of agentTools) {
    if (tool.enabled === false) {
      allow.delete(tool.name);
      deny.add(tool.name);
      continue;
    }
    deny.delete(tool.name);
    allow.add(tool.name);
    for (const rule of tool.restrictions ?? []) deny.add(`${tool.name}(${rule})`);
  }
  return { allow: [...allow], deny: [...deny], defaultMode: 'acceptEdits' };
}

export interface Dirs {
  base: string;
  run: string;
  /** The run directory as CLAUDE.md (at base) imports it. */
  importBase: string;
  repo: string | null;
  work: string;
  docs: string | null;
}

/**
 * Paths, the ConfigMap file list and the hooks, from the kind's directories; and what the agent
 * shell shares with the operator (the result protocol's constants), which its prelude defines.
 */
export function layout(
  input: ContextInput,
  c: Common,
  dirs: Dirs,
  taskFiles: ReadonlyArray<{ filename: string; key: string }>,
): Pick<TemplateContext, 'paths' | 'files' | 'hooks' | 'result'> {
  const rendered = `${dirs.run}/${RENDERED_DIR}`;
  const files: TemplateContext['files'] = [
    ...input.outputs.map((output) => {
      const key = renderedFileKey(output);
      return { key, path: configMapKeyToPath(key), mode: output.endsWith('.sh') ? '0755' : '0644' } as const;
    }),
    ...taskFiles.map((f) => ({ key: f.key, path: f.filename, mode: '0644' as const })),
    { key: METADATA_KEY, path: METADATA_FILE, mode: '0644' },
  ];
  const stop = input.outputs
    .filter((p) => /^agent-shell\/stop-[^/]+\.sh$/.test(p))
    .sort()
    .map((p) => `${rendered}/${p}`);
  return {
    paths: {
      configMap: c.configMap,
      workspace: c.workspace,
      ...dirs,
      rendered,
      memory: `${dirs.base}/CLAUDE.md`,
      baseBranch: input.options?.baseBranchDir ?? BASE_BRANCH_DIR,
      agentState: `${dirs.base}/.agents/${c.agent.name}`,
    },
    files,
    hooks: { stop, stopCommand: stop.map((p) => `bash ${shellQuote(p)}`).join(' ; ') },
    result: { ...RESULT_SHELL_CONSTANTS },
  };
}
