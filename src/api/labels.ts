// The labels on every run and every object made for one (docs/design.md §3).

/** Labels put on every object the controller creates. */
export const LABELS = Object.freeze({
  managedBy: 'app.kubernetes.io/managed-by',
  taskId: 'orchestrator.io/task-id',
  service: 'orchestrator.io/service',
  agent: 'orchestrator.io/agent',
  run: 'orchestrator.io/run',
  /** On agent pods only, `true` when the agent may call the Kubernetes API (NetworkPolicy selects it). */
  clusterAccess: 'orchestrator.io/cluster-access',
  /**
   * The runtime ConfigMap an attempt's ConfigMap and Job use (src/render/runtime-files.ts); on that
   * ConfigMap itself, its own name.
   */
  runtime: 'orchestrator.io/runtime',
} as const);
/** Annotations the orchestrator sets on runs. */
export const ANNOTATIONS = Object.freeze({
  /**
   * Who created the run, as the apiserver authenticated them; set by the mutating webhook (or by the
   * REST API, for its caller), never by the run's author (docs/design.md §7).
   */
  submittedBy: 'orchestrator.io/submitted-by',
} as const);

/** The value of the app.kubernetes.io/managed-by label. */
export const MANAGED_BY = 'orchestrator';
