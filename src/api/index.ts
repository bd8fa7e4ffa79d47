// The orchestrator.io/v1 API, hand-written around what is generated from schemas/: friendly type names, the
// kind table and what is derived from it, run defaulting and shorthands, labels and attempt names
// (docs/design.md §1.1, §3). Never a field definition, never a list of kinds: those come from schemas/
// through generated/. What every layer above shares about a run lives here, beside the kind table.
// - agent-env.ts: the agent container's environment as a contract of admission, rendering and the Job
//   builder: which names a run may set.
// - app-repositories.ts: the repositories of an App run's installation token, one function for the
//   token's scope and the submitter's authorisation.
// - attempt-names.ts: the names of an attempt's Job, ConfigMap and directory by kind, one choice that the
//   reconciler and the CLI's readers share.
// - budget-coverage.ts: whether a team budget covers a namespace, one rule for the reconcilers and the gateway.
// - budget-report.ts: a budget's standing and daily spend, as the REST API serves it and the console charts it.
// - budget-window.ts: a budget's window (day, week, month, from its notBefore), which the budgets and
//   the gateway sum over and the gateway's ledger keeps its records for.
// - cluster-access.ts: which agent pods may call the Kubernetes API, and only as their profile's account.
// - config-source.ts: where the controller config in force comes from, declared with the API types so
//   that its readers need not depend on the loader (src/config).
// - defaulted-type.ts: the type of a run after defaulted(), from the generated defaults.
// - defaulting.ts: a run's defaults as one domain function, which admission and the resolver
//   (resolved-run.ts) call, so a run admitted without the webhooks runs the same.
// - docker-runs.ts: when a CodeRun may have its privileged Docker daemon, for admission and rendering.
// - expanded-schemas.ts: the schemas as the build expanded them, as JSON, read at start instead of the YAML.
// - generated/: types, kind table and defaults generated from schemas/ by `npm run generate`; not edited.
// - github-app-agent.ts: which agent profile a GitHub App runs: the profile naming it in the config, else
//   the seed's rule (the part after the App's last '-').
// - github-auth.ts: how a run authenticates to GitHub, decided once from its spec for every reader.
// - kinds.ts: resource paths, webhook names, kubectl spellings and CRD names, derived from the kind table.
// - labels.ts: the labels and annotations on every run and every object made for one.
// - limits.ts: the table of limits on what an agent spends: where each is set, its unit, who enforces
//   it, the reason it stops an attempt with (docs/adding-a-limit.md).
// - mcp-servers.ts: the team's MCP servers a run gets and the variables of their Secret headers, for
//   admission, rendering and the Job builder alike.
// - normalise.ts: the shorthands a run may be written with (`org/repo`, model aliases), made explicit
//   the same way on every path.
// - pod-template.ts: an agent pod's scheduling and isolation fields from config, profile and run,
//   computed per attempt rather than stored.
// - prompt-task.ts: a TaskRun written as a prompt: its task file, and the service and task id derived
//   from its repository and prompt.
// - resolved-run.ts: what a run is, resolved once per reconcile (defaulted, its agent, profile, CLI,
//   GitHub authentication and kind facts) for the renderer, the Job builder, metrics and commenters.
// - restricted-profiles.ts: which agent profiles need an explicit `use-restricted` grant (clusterAccess, restricted).
// - result-protocol.ts: the result document's marker and limits, for its reader (the operator) and its
//   writer (the entry script's rendered prelude) alike.
// - schema-defaults.ts: a schema's `default:` values applied as the apiserver's structural defaulting
//   applies them, so the schema is the one place they are written.
// - schemas.ts: the JSON Schemas loaded from schemas/, from src/ and dist/ alike.
// - types.ts: friendly aliases of the generated types, and only aliases.
// - usage.ts: what an agent's model calls cost: dollar strings in micro-dollars, sums, and the record of
//   each attempt's usage that the status, the metrics and the budgets share (docs/economics.md).
// - usage-cap.ts: without the model gateway, an agent's reported cost capped at its attempt's
//   spec.limits.maxBudgetUsd, the report kept as `reported`.
// - run-limits.ts: what an attempt's agent may spend (spec.limits) against its profile's defaults and
//   maximums, for the defaulting, the admission rule and the entry script's flags.
import { GROUP, VERSION } from './generated/kinds.js';

export * from './agent-env.js';
export * from './app-repositories.js';
export * from './attempt-names.js';
export * from './budget-coverage.js';
export * from './budget-report.js';
export * from './budget-window.js';
export * from './cluster-access.js';
export * from './config-source.js';
export * from './defaulting.js';
export * from './docker-runs.js';
export * from './github-app-agent.js';
export * from './github-auth.js';
export * from './kinds.js';
export * from './labels.js';
export * from './limits.js';
export * from './mcp-servers.js';
export * from './normalise.js';
export * from './pod-template.js';
export * from './prompt-task.js';
export * from './resolved-run.js';
export * from './restricted-profiles.js';
export * from './result-protocol.js';
export * from './run-limits.js';
export type { JsonSchema, SchemaName, Schemas } from './schemas.js';
export {
  loadSchema,
  loadSchemas,
  parseSchema,
  SCHEMA_FILES,
  schemasDir,
} from './schemas.js';
export * from './types.js';
export * from './usage.js';
export * from './usage-cap.js';
export { GROUP, VERSION };

/** `orchestrator.io/v1`, the apiVersion of every run. */
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** The Kubernetes size limit of a ConfigMap (keys and values together). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
export { type DefaultTree, defaultTree, withSchemaDefaults } from './schema-defaults.js';
