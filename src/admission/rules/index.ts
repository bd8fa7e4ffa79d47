// The semantic rules of each run kind, beyond what its schema says: tiny pure functions that return
// findings (what is wrong, where, why), run after the schema by src/admission/validate-run.ts. Below the
// map, RULES lists which kind gets which rule: the one per-kind table here (docs/adding-a-run-kind.md).
// - annotations.ts: podAnnotations become real pods' annotations: valid keys, within the apiserver's size
//   limit, and only keys the platform team allows.
// - config-names.ts: names checked against the controller config: agents, GitHub Apps, models, local
//   tools (not RBAC: the references a run's objects make are ../references/).
// - context.ts: what a rule sees and returns (Rule, RuleContext), the vocabulary every rule file shares.
// - dependencies.ts: a TaskRun may not depend on its own task.
// - environment.ts: CodeRun variables, Docker and the ServiceAccount: what the pod could not honour as
//   asked is refused here rather than dropped later.
// - github-host.ts: an App run's repository URLs stay on github.host, the host its token is minted for.
// - github-identity.ts: who a run acts as on GitHub: exactly one App or user.
// - identity.ts: fields that identify a run or start an attempt (immutable, or only ever raised), those
//   that decide what it may use (fixed at creation, by src/admission/fields), and a cancel (for good).
// - locations.ts: repository URLs and paths inside the workspace.
// - markdown-files.ts: a TaskRun's task files (its prompt, its markdown files): one given, unique names,
//   within the ConfigMap's budget.
// - placement.ts: spec.podTemplate may not widen where the pod goes beyond what job.runPodTemplate opens.
// - pod-template.ts: spec.podTemplate: what the apiserver would refuse, and what placement.ts refuses.
// - remediation.ts: a remediation block needs continueSession (the CRD's CEL rule, said offline too).
// - resources.ts: spec.resources at most the agent's own or the config's maximums (no GPU by default).
// - run-limits.ts: spec.limits (turns, spend) at most the agent profile's maximum, else its default.
// - workspace.ts: spec.workspace size within workspace.maxSize, StorageClass only one the config allows.
import type { RunKindName } from '../../api/index.js';
import { allowedPodAnnotations, validPodAnnotations } from './annotations.js';
import {
  appSelectsAgent,
  knownAgent,
  knownLocalTools,
  knownModel,
  recognisedGithubApp,
} from './config-names.js';
import type { Rule } from './context.js';
import { notDependingOnItself } from './dependencies.js';
import { agentServiceAccount, dockerAllowed, validAgentEnv } from './environment.js';
import { appUrlsOnGithubHost } from './github-host.js';
import { oneGithubIdentity, taskRunGithubIdentity } from './github-identity.js';
import { cancelIsFinal, fixedAfterCreate, immutable, neverDecreases } from './identity.js';
import {
  relativePathProblem,
  repositoryUrlProblem,
  safeRelativePath,
  validRepositoryUrl,
} from './locations.js';
import { sizeBudget, taskGiven, uniqueFilenames } from './markdown-files.js';
import { validPodTemplate } from './pod-template.js';
import { remediationSessionNeedsContinue } from './remediation.js';
import { boundedResources } from './resources.js';
import { boundedRunLimits } from './run-limits.js';
import { boundedWorkspace } from './workspace.js';

export type { Rule, RuleContext } from './context.js';
export { MARKDOWN_BUDGET_BYTES, TEMPLATE_RESERVE_BYTES } from './markdown-files.js';
export { relativePathProblem, repositoryUrlProblem };

const NEW_RUN = 'create a new resource for another task';

/** The semantic rules of each kind, beyond what its schema says. */
export const RULES: Record<RunKindName, Rule<unknown>[]> = {
  TaskRun: [
    taskGiven as Rule<unknown>,
    uniqueFilenames as Rule<unknown>,
    sizeBudget as Rule<unknown>,
    knownAgent('spec.agent'),
    knownModel('spec.model'),
    immutable('spec.taskId', NEW_RUN),
    neverDecreases('spec.retryAttempt', 'raise it to start a new attempt'),
    cancelIsFinal('spec.retryAttempt'),
    validRepositoryUrl('spec.repository.url'),
    taskRunGithubIdentity,
    appUrlsOnGithubHost('TaskRun', 'spec.repository.url'),
    notDependingOnItself,
    validPodAnnotations('spec.podAnnotations'),
    allowedPodAnnotations('spec.podAnnotations'),
    agentServiceAccount('TaskRun'),
    validPodTemplate('TaskRun'),
    boundedResources('TaskRun'),
    boundedRunLimits('TaskRun'),
    boundedWorkspace,
    fixedAfterCreate('TaskRun'),
  ],
  CodeRun: [
    oneGithubIdentity,
    recognisedGithubApp('spec.githubApp'),
    appSelectsAgent,
    knownModel('spec.model'),
    immutable('spec.taskId', NEW_RUN),
    neverDecreases('spec.contextVersion', 'raise it to start a new session context'),
    cancelIsFinal('spec.contextVersion'),
    validRepositoryUrl('spec.repositoryUrl'),
    validRepositoryUrl('spec.docsRepositoryUrl'),
    appUrlsOnGithubHost('CodeRun', 'spec.repositoryUrl', 'spec.docsRepositoryUrl'),
    safeRelativePath('spec.workingDirectory'),
    safeRelativePath('spec.docsProjectDirectory'),
    validPodAnnotations('spec.podAnnotations'),
    allowedPodAnnotations('spec.podAnnotations'),
    validAgentEnv,
    dockerAllowed,
    knownLocalTools,
    agentServiceAccount('CodeRun'),
    validPodTemplate('CodeRun'),
    boundedResources('CodeRun'),
    boundedRunLimits('CodeRun'),
    boundedWorkspace,
    fixedAfterCreate('CodeRun'),
    remediationSessionNeedsContinue,
  ],
  DocsRun: [
    oneGithubIdentity,
    recognisedGithubApp('spec.githubApp'),
    appSelectsAgent,
    knownModel('spec.model'),
    validRepositoryUrl('spec.repositoryUrl'),
    appUrlsOnGithubHost('DocsRun', 'spec.repositoryUrl'),
    safeRelativePath('spec.workingDirectory'),
    validPodAnnotations('spec.podAnnotations'),
    allowedPodAnnotations('spec.podAnnotations'),
    agentServiceAccount('DocsRun'),
    validPodTemplate('DocsRun'),
    boundedResources('DocsRun'),
    boundedRunLimits('DocsRun'),
    boundedWorkspace,
    fixedAfterCreate('DocsRun'),
    cancelIsFinal(),
  ],
};
