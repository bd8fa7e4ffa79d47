// Friendly names for the types generated from schemas/ (src/api/generated, written by `npm run
// generate`): only aliases, never a field definition.

import type { components as CodeRunComponents } from './generated/coderun.js';
import type { components as ConfigComponents } from './generated/controller-config.js';
import type { components as DocsRunComponents } from './generated/docsrun.js';
import type { RunKindName, RunObjects } from './generated/kinds.js';
import type * as shared from './generated/shared.js';
import type { components as TaskRunComponents } from './generated/taskrun.js';

/** One agent task (`tr`). */
export type TaskRun = TaskRunComponents['schemas']['TaskRun'];
export type TaskRunSpec = TaskRun['spec'];
/** @internal For tests that read a status; the code reads RunStatus. */
export type TaskRunStatus = NonNullable<TaskRun['status']>;
/** One of a TaskRun's markdown files. */
export type MarkdownFile = NonNullable<TaskRunSpec['markdownFiles']>[number];
export type MarkdownFileType = NonNullable<MarkdownFile['fileType']>;
export type Priority = NonNullable<TaskRunSpec['priority']>;
export type AgentTool = NonNullable<TaskRunSpec['agentTools']>[number];

/** An implementation run by one agent on a repository (`cr`). */
export type CodeRun = CodeRunComponents['schemas']['CodeRun'];
export type CodeRunSpec = CodeRun['spec'];
/** @internal For tests that read a status; the code reads RunStatus. */
export type CodeRunStatus = NonNullable<CodeRun['status']>;
export type EnvFromSecret = NonNullable<CodeRunSpec['envFromSecrets']>[number];
export type ToolConfig = NonNullable<CodeRunSpec['toolConfig']>;

/** A documentation generation run (`dr`). */
export type DocsRun = DocsRunComponents['schemas']['DocsRun'];
export type DocsRunSpec = DocsRun['spec'];

/** Any run resource. */
export type Run = RunObjects[RunKindName];
/**
 * A run's status as the reconciler writes it: every kind's (schemas/shared/run-status.yaml), so
 * TaskRunStatus, CodeRunStatus and a DocsRun's status are this type.
 */
export type RunStatus = shared.RunStatus;
/** A status condition (the metav1.Condition shape). */
export type Condition = NonNullable<RunStatus['conditions']>[number];
export type ConditionStatus = Condition['status'];
/** A run's lifecycle phase. */
export type Phase = NonNullable<RunStatus['phase']>;

/** The controller configuration file. */
export type ControllerConfig = ConfigComponents['schemas']['ControllerConfig'];
/** An agent profile of the controller configuration. */
export type AgentProfile = ControllerConfig['agents'][string];
export type AgentRole = NonNullable<AgentProfile['role']>;
export type SecretKeyRef = NonNullable<NonNullable<ControllerConfig['secrets']>['apiKey']>;
/** Where an agent's pod is scheduled and how it is isolated (schemas/shared/pod-template.yaml). */
export type PodTemplate = shared.PodTemplate;
/** What one attempt's agent may spend: a run's spec.limits (schemas/shared/run-limits.yaml). */
export type RunLimits = shared.RunLimits;
/** A field of a PodTemplate, as the config's job.lockedPodFields names it. */
export type PodTemplateField = ControllerConfig['job']['lockedPodFields'][number];
