// The labels on every run and every object made for one (docs/design.md §3).

/** Labels put on every object the controller creates. */
export const LABELS = Object.freeze({
  managedBy: 'app.kubernetes.io/managed-by',
  taskId: 'orchestrator.io/task-id',
  service: 'orchestrator.io/service',
  agent: 'orchestrator.io/agent',
  /** A TaskRun's spec.priority (the seeds' `priority` label), on the run and its Job, never on the shared PVC. */
  priority: 'orchestrator.io/priority',
  /** The GitHub App the run acts as (the seeds' `github-app` Job label), when a label value can hold it. */
  githubApp: 'orchestrator.io/github-app',
  run: 'orchestrator.io/run',
  /** On agent pods only, `true` when the agent may call the Kubernetes API (NetworkPolicy selects it). */
  clusterAccess: 'orchestrator.io/cluster-access',
  /**
   * The agent-shell ConfigMap an attempt's ConfigMap and Job use (src/render/agent-shell-files.ts); on that
   * ConfigMap itself, its own name.
   */
  agentShell: 'orchestrator.io/agent-shell',
  /**
   * On agent pods only, with egress on: the allowlist the pod goes out by (src/egress). The shipped
   * NetworkPolicy gives pods without it the internet; those with it reach their allowlist's proxy port.
   */
  egress: 'orchestrator.io/egress',
  /**
   * The Argo Workflow that made the run (the seeds' `workflow-name` Job label), from the run's
   * ARGO_WORKFLOW_LABEL; never Argo's own label on our objects: Argo's controller takes the pods
   * carrying it for its own.
   */
  workflowName: 'orchestrator.io/workflow-name',
  /**
   * On a run started from a GitHub issue (src/github/issue-run.ts), the issue's number: one run per issue
   * at a time is found by it (with the run's repository).
   */
  githubIssue: 'orchestrator.io/github-issue',
} as const);

/** The label Argo Workflows puts on what a workflow creates, the run included (config/argo). */
export const ARGO_WORKFLOW_LABEL = 'workflows.argoproj.io/workflow';

/**
 * Labels an earlier version wrote, read (never written) so that what it made is still recognised after
 * an upgrade: the agent shell was called the runtime (its ConfigMaps `orchestrator-runtime-{hash}`).
 */
export const FORMER_LABELS = Object.freeze({ agentShell: 'orchestrator.io/runtime' } as const);

/** The agent-shell ConfigMap an object names, by this version's label or an earlier version's. */
export const agentShellOf = (obj: { metadata?: { labels?: Record<string, string> } } | undefined) =>
  obj?.metadata?.labels?.[LABELS.agentShell] ?? obj?.metadata?.labels?.[FORMER_LABELS.agentShell];
/** Annotations the orchestrator sets on runs. */
export const ANNOTATIONS = Object.freeze({
  /**
   * Who created the run, as the apiserver authenticated them; set by the mutating webhook (or by the
   * REST API, for its caller), never by the run's author (docs/design.md §7).
   */
  submittedBy: 'orchestrator.io/submitted-by',
  /**
   * The notifications sent (or given up) for the run, `sink/event` comma-separated, written by the
   * leader after each send so that no leader sends one twice (docs/notifications.md).
   */
  notified: 'orchestrator.io/notified',
  /**
   * On a run started from a GitHub issue, the issue's web address: its pull request's body closes the
   * issue when the address is of the run's own repository (src/render/issue-link.ts).
   */
  githubIssueUrl: 'orchestrator.io/github-issue-url',
} as const);

/** The value of the app.kubernetes.io/managed-by label. */
export const MANAGED_BY = 'orchestrator';
