// What a run is, answered once per reconcile: the run defaulted (defaulting.ts), its agent, the agent's
// profile and CLI, how it authenticates to GitHub, and its kind's facts. The reconciler resolves a run
// here and hands the answer to the renderer, the Job builder, the metrics and the pull-request
// commenters, which read it rather than derive it again. Admission defaults a request itself
// (src/admission): that is the request's, not the reconcile's.
import { type AgentCli, agentCli } from '../agent-cli/index.js';
import { type DefaultedRun, defaulted, runAgent, runProfile } from './defaulting.js';
import { type GithubAuth, runGithubAuth } from './github-auth.js';
import { kindFacts, type RunKindName, type RunOf } from './kinds.js';
import type { AgentProfile, ControllerConfig } from './types.js';

/** A run resolved under one config: every fact about it that more than one reader needs. */
export interface ResolvedRun<K extends RunKindName = RunKindName> {
  kind: K;
  /** As defaulted() returns it. */
  run: DefaultedRun<K>;
  /** The agent it runs (a TaskRun's own or the default; the others' from their App). */
  agent: string | undefined;
  /** That agent's profile, when the config has one by that name. */
  profile: AgentProfile | undefined;
  /** The profile's CLI (Claude Code when it names none). */
  cli: AgentCli;
  auth: GithubAuth;
  facts: ReturnType<typeof kindFacts<K>>;
}

/** A run as stored (or as admitted without the webhooks), resolved: defaulted first. */
export function resolveRun<K extends RunKindName>(
  kind: K,
  run: RunOf<K>,
  config: ControllerConfig,
): ResolvedRun<K> {
  return resolvedOf(kind, defaulted(kind, run, config), config);
}

/** A run already defaulted, resolved (defaulting is not repeated). */
export function resolvedOf<K extends RunKindName>(
  kind: K,
  run: DefaultedRun<K>,
  config: ControllerConfig,
): ResolvedRun<K> {
  const spec = run.spec as Record<string, unknown>;
  const agent = runAgent(kind, spec, config);
  const profile = runProfile(kind, spec, config, agent);
  return {
    kind,
    run,
    agent,
    profile,
    cli: agentCli(profile?.cli),
    auth: runGithubAuth(spec, config, agent),
    facts: kindFacts(kind),
  };
}
