import type { RunKindName } from '../../api/index.js';
import { allowedPodAnnotations, validPodAnnotations } from './annotations.js';
import type { Rule } from './context.js';
import { agentServiceAccount, dockerAllowed, validAgentEnv } from './environment.js';
import { oneGithubIdentity, taskRunGithubIdentity } from './github-identity.js';
import { immutable, neverDecreases } from './identity.js';
import {
  relativePathProblem,
  repositoryUrlProblem,
  safeRelativePath,
  validRepositoryUrl,
} from './locations.js';
import { sizeBudget, uniqueFilenames } from './markdown-files.js';
import { validPodTemplate } from './pod-template.js';
import {
  knownAgent,
  knownLocalTools,
  knownModel,
  notDependingOnItself,
  recognisedGithubApp,
} from './references.js';
import { remediationSessionNeedsContinue } from './remediation.js';

export type { Rule, RuleContext } from './context.js';
export { MARKDOWN_BUDGET_BYTES } from './markdown-files.js';
export { relativePathProblem, repositoryUrlProblem };

const NEW_RUN = 'create a new resource for another task';

/** The semantic rules of each kind, beyond what its schema says. */
export const RULES: Record<RunKindName, Rule<unknown>[]> = {
  TaskRun: [
    uniqueFilenames as Rule<unknown>,
    sizeBudget as Rule<unknown>,
    knownAgent('spec.agent'),
    knownModel('spec.model'),
    immutable('spec.taskId', NEW_RUN),
    immutable('spec.serviceName', NEW_RUN),
    neverDecreases('spec.retryAttempt', 'raise it to start a new attempt'),
    validRepositoryUrl('spec.repository.url'),
    taskRunGithubIdentity,
    notDependingOnItself,
    validPodAnnotations('spec.podAnnotations'),
    allowedPodAnnotations('spec.podAnnotations'),
    agentServiceAccount('TaskRun'),
    validPodTemplate('TaskRun'),
  ],
  CodeRun: [
    oneGithubIdentity,
    recognisedGithubApp('spec.githubApp'),
    knownModel('spec.model'),
    immutable('spec.taskId', NEW_RUN),
    immutable('spec.service', NEW_RUN),
    neverDecreases('spec.contextVersion', 'raise it to start a new session context'),
    validRepositoryUrl('spec.repositoryUrl'),
    validRepositoryUrl('spec.docsRepositoryUrl'),
    safeRelativePath('spec.workingDirectory'),
    safeRelativePath('spec.docsProjectDirectory'),
    validPodAnnotations('spec.podAnnotations'),
    allowedPodAnnotations('spec.podAnnotations'),
    validAgentEnv,
    dockerAllowed,
    knownLocalTools,
    agentServiceAccount('CodeRun'),
    validPodTemplate('CodeRun'),
    remediationSessionNeedsContinue,
  ],
  DocsRun: [
    oneGithubIdentity,
    recognisedGithubApp('spec.githubApp'),
    knownModel('spec.model'),
    validRepositoryUrl('spec.repositoryUrl'),
    safeRelativePath('spec.workingDirectory'),
    immutable('spec.workingDirectory', 'the docs workspace volume is named after it; create a new DocsRun'),
    validPodAnnotations('spec.podAnnotations'),
    allowedPodAnnotations('spec.podAnnotations'),
    agentServiceAccount('DocsRun'),
    validPodTemplate('DocsRun'),
  ],
};
