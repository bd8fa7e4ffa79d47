// The seeds' template variables (their Handlebars context: task_id, github_app, remote_tools, …) as
// aliases over the template context, so that a team's templates written for the seeds' controller
// render here unchanged. Every alias is derived from the context the templates already see: nothing
// is read from the run a second time. docs/seed-compatibility.md maps each one.
import type { TemplateContext } from './context-types.js';

/** The seeds' names, each a flat top-level variable as their templates read it. */
export interface SeedAliases {
  task_id: number | null;
  service: string | null;
  service_name: string | null;
  repository_url: string | null;
  /** A CodeRun's documentation repository; the seeds also call it the platform repository. */
  docs_repository_url: string | null;
  platform_repository_url: string | null;
  /** '' when the run acts as no App: the seeds' `github_app.unwrap_or("")`. */
  github_app: string;
  github_user: string;
  model: string;
  /** Whether the agent continues its session (a CodeRun's continueSession, or a retry). */
  continue_session: boolean;
  /** The agent's working directory relative to the repository; '.' for its root. */
  working_directory: string;
  /** The tool preset: minimal, default or advanced. */
  tool_config: string;
  /** The local MCP servers' names (not Claude's built-in tools). */
  local_tools: string[];
  remote_tools: string[];
}

/** @internal The seed's tool aliases, which the compatibility page's test reads. */
export const SEED_ALIAS_NAMES = [
  'task_id',
  'service',
  'service_name',
  'repository_url',
  'docs_repository_url',
  'platform_repository_url',
  'github_app',
  'github_user',
  'model',
  'continue_session',
  'working_directory',
  'tool_config',
  'local_tools',
  'remote_tools',
] as const satisfies ReadonlyArray<keyof SeedAliases>;

export function seedAliases(c: TemplateContext): SeedAliases {
  const docsUrl = c.docs?.url ?? null;
  return {
    task_id: c.task.id,
    service: c.task.service,
    service_name: c.task.service,
    repository_url: c.repo?.url ?? null,
    docs_repository_url: docsUrl,
    platform_repository_url: docsUrl,
    github_app: c.agent.githubApp ?? '',
    github_user: c.agent.githubUser ?? '',
    model: c.agent.model,
    continue_session: c.session.resume,
    working_directory: c.codeRun?.workingDirectory ?? c.docsRun?.workingDirectory ?? '.',
    tool_config: c.tools.preset,
    local_tools: c.tools.local.map((t) => t.name),
    remote_tools: c.tools.remote,
  };
}

/** What a template renders over: the context, and the seeds' names beside it. */
export const withSeedAliases = (c: TemplateContext): TemplateContext & SeedAliases => ({
  ...c,
  ...seedAliases(c),
});
