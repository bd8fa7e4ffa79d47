// The orchestrator.io/v1 API: friendly names for the types generated from schemas/ (see
// src/api/generated, written by `npm run generate`), and the API's constants (DESIGN.md section 4).
// Hand-written: only aliases and names live here, never a field definition.

import type { components as CodeRunComponents } from './generated/coderun.js';
import type { components as ConfigComponents } from './generated/controller-config.js';
import type { components as DocsRunComponents } from './generated/docsrun.js';
import type { components as TaskRunComponents } from './generated/taskrun.js';

export type { ApiKind, JsonSchema, SchemaName, Schemas } from './schemas.js';
export {
  CRD_EXTENSION,
  findPackageRoot,
  loadSchema,
  loadSchemas,
  parseSchema,
  SCHEMA_FILES,
  schemasDir,
} from './schemas.js';

/** One agent task (`tr`). */
export type TaskRun = TaskRunComponents['schemas']['TaskRun'];
export type TaskRunSpec = TaskRun['spec'];
export type TaskRunStatus = NonNullable<TaskRun['status']>;
/** One of a TaskRun's markdown files. */
export type MarkdownFile = TaskRunSpec['markdownFiles'][number];
export type MarkdownFileType = NonNullable<MarkdownFile['fileType']>;
export type Priority = NonNullable<TaskRunSpec['priority']>;
export type AgentTool = NonNullable<TaskRunSpec['agentTools']>[number];
export type Repository = NonNullable<TaskRunSpec['repository']>;
export type Workspace = NonNullable<TaskRunSpec['workspace']>;
export type ResourceRequirements = NonNullable<TaskRunSpec['resources']>;

/** An implementation run by one agent on a repository (`cr`). */
export type CodeRun = CodeRunComponents['schemas']['CodeRun'];
export type CodeRunSpec = CodeRun['spec'];
export type CodeRunStatus = NonNullable<CodeRun['status']>;
export type EnvFromSecret = NonNullable<CodeRunSpec['envFromSecrets']>[number];
export type ToolConfig = NonNullable<CodeRunSpec['toolConfig']>;

/** A documentation generation run (`dr`). */
export type DocsRun = DocsRunComponents['schemas']['DocsRun'];
export type DocsRunSpec = DocsRun['spec'];
export type DocsRunStatus = NonNullable<DocsRun['status']>;

/** Any run resource. */
export type Run = TaskRun | CodeRun | DocsRun;
/** A status condition (the metav1.Condition shape), the same in every run's status. */
export type Condition = NonNullable<TaskRunStatus['conditions']>[number];
export type ConditionStatus = Condition['status'];
/** A run's lifecycle phase. */
export type Phase = NonNullable<TaskRunStatus['phase']>;

/** The controller configuration file. */
export type ControllerConfig = ConfigComponents['schemas']['ControllerConfig'];
/** An agent profile of the controller configuration. */
export type AgentProfile = ControllerConfig['agents'][string];
export type AgentRole = NonNullable<AgentProfile['role']>;
export type SecretKeyRef = NonNullable<NonNullable<ControllerConfig['secrets']>['apiKey']>;

/** The Kubernetes size limit of a ConfigMap (keys and values together). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

export const GROUP = 'orchestrator.io';
export const VERSION = 'v1';
export const API_VERSION = 'orchestrator.io/v1';

export const TASKRUN_KIND = 'TaskRun';
export const CODERUN_KIND = 'CodeRun';
export const DOCSRUN_KIND = 'DocsRun';
export const TASKRUN_PLURAL = 'taskruns';
export const CODERUN_PLURAL = 'coderuns';
export const DOCSRUN_PLURAL = 'docsruns';
/** Resource plural names, by kind. */
export const PLURALS = Object.freeze({
  TaskRun: TASKRUN_PLURAL,
  CodeRun: CODERUN_PLURAL,
  DocsRun: DOCSRUN_PLURAL,
} as const);

export const TASKRUN_FINALIZER = 'taskrun.orchestrator.io/cleanup';
export const CODERUN_FINALIZER = 'coderun.orchestrator.io/cleanup';
export const DOCSRUN_FINALIZER = 'docsrun.orchestrator.io/cleanup';
/** Cleanup finalizer names, by kind. */
export const FINALIZERS = Object.freeze({
  TaskRun: TASKRUN_FINALIZER,
  CodeRun: CODERUN_FINALIZER,
  DocsRun: DOCSRUN_FINALIZER,
} as const);

/** Labels put on every object the controller creates. */
export const LABELS = Object.freeze({
  managedBy: 'app.kubernetes.io/managed-by',
  taskId: 'orchestrator.io/task-id',
  service: 'orchestrator.io/service',
  agent: 'orchestrator.io/agent',
  run: 'orchestrator.io/run',
} as const);
/** The value of the app.kubernetes.io/managed-by label. */
export const MANAGED_BY = 'orchestrator';
