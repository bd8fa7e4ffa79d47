// Every field of every run kind's spec, classified: who may set it and what it lets them cause. ONE
// table, so that a field added to a schema without a row fails a test (coverage.ts) instead of
// becoming a power nobody judged. A row covers its field and everything under it, and applies to every
// kind whose schema has the field. The checks the classes name live elsewhere (the reference table for
// authorised fields, the rules for bounded ones); this table says which applies: an authorised row
// names its reference row, whose permissions are the reviews (written there only), and the tests hold
// each row to its check. Rendered into docs/security.md by docs-table.ts.
import {
  AGENT_PROFILE_REFERENCE,
  CLAIM_REFERENCE,
  ENV_SECRET_REFERENCE,
  GITHUB_USER_REFERENCE,
  IMAGE_REFERENCE,
  MCP_SECRET_REFERENCE,
  PRIORITY_CLASS_REFERENCE,
  REPOSITORY_REFERENCE,
  SERVICE_ACCOUNT_REFERENCE,
} from '../references/index.js';
import type { FieldRow } from './classes.js';

const WORKSPACE =
  "selects the workspace volume (workspace-{service}…, docs-{directory}): another run's checkout, session and memory";
/** docs/security.md "Workspaces and submitters" (src/controllers/reconcile/workspace-tenancy.ts). */
const OWN_WORKSPACE =
  'a claim the operator made for another submitter is not joined: the run waits (Pending), saying whose';
const APP_REPOSITORY =
  "a repository the run's GitHub credential is used for: an App run's installation token is minted for it";

export const FIELD_CLASSES: readonly FieldRow[] = [
  // What the run is: bookkeeping.
  {
    path: 'spec.taskId',
    class: 'steering',
    effect: "the task the agent works on (its documents, branch, labels); names the run's objects",
  },
  { path: 'spec.serviceName', class: 'bounded', effect: WORKSPACE, bound: OWN_WORKSPACE },
  { path: 'spec.service', class: 'bounded', effect: WORKSPACE, bound: OWN_WORKSPACE },
  {
    path: 'spec.workingDirectory',
    kinds: ['CodeRun'],
    class: 'steering',
    effect: 'the directory the agent works in, inside the workspace',
  },
  {
    path: 'spec.workingDirectory',
    kinds: ['DocsRun'],
    class: 'bounded',
    effect: `the directory the agent documents; ${WORKSPACE}`,
    bound: OWN_WORKSPACE,
  },
  { path: 'spec.retryAttempt', class: 'inert', verb: 'retry', effect: 'raised, starts a new attempt' },
  {
    path: 'spec.contextVersion',
    class: 'inert',
    verb: 'retry',
    effect: 'raised, starts a new session context',
  },
  {
    path: 'spec.cancelled',
    class: 'inert',
    verb: 'cancel',
    othersMay: 'set',
    effect:
      'set, stops the running attempt and starts no other (for good): what deleting the run would do, record kept',
  },
  { path: 'spec.dependsOn', class: 'steering', effect: 'runs to wait for (in the same namespace)' },
  // What the agent reads and how it works: its instructions, which only the submitter may change.
  { path: 'spec.markdownFiles', class: 'steering', effect: "documents in the agent's task files" },
  { path: 'spec.prompt', class: 'steering', effect: "the agent's task, in its words (prompt.md)" },
  { path: 'spec.remediation', class: 'steering', effect: "review feedback in the agent's prompt" },
  {
    path: 'spec.model',
    class: 'steering',
    effect: "the model the platform's API key is used with (an unknown model is admitted with a warning)",
  },
  { path: 'spec.agentTools', class: 'steering', effect: "the agent CLI's tool permissions" },
  { path: 'spec.toolConfig', class: 'steering', effect: "the agent's tool preset" },
  { path: 'spec.remoteTools', class: 'steering', effect: 'remote MCP tools the agent is configured with' },
  {
    path: 'spec.localTools',
    class: 'bounded',
    effect: 'local MCP servers started in the pod',
    bound: 'only servers of the template set (tool-presets.yaml)',
  },
  {
    path: 'spec.continueSession',
    class: 'steering',
    effect: "resume the agent's last session on the workspace",
  },
  { path: 'spec.overwriteMemory', class: 'steering', effect: "replace the workspace's CLAUDE.md memory" },
  {
    path: 'spec.maxRetries',
    class: 'bounded',
    effect: "how many times a failed attempt is retried (the config's retries.maxRetries otherwise)",
    // No more than raising the attempt field already lets anyone who may update the run do.
    bound: "the schema's maximum, 10; each attempt within spec.limits",
  },
  { path: 'spec.includeCodebase', class: 'steering', effect: "the codebase in the agent's prompt" },
  { path: 'spec.repository.branch', class: 'steering', effect: 'the branch the agent starts from' },
  {
    path: 'spec.baseBranch',
    class: 'steering',
    effect: 'the branch new work starts from and the pull request targets',
  },
  { path: 'spec.docsBranch', class: 'steering', effect: 'the branch of the docs repository' },
  { path: 'spec.sourceBranch', class: 'steering', effect: 'the branch the documents are written from' },
  {
    path: 'spec.docsProjectDirectory',
    class: 'steering',
    effect: 'the Task Master project inside the docs repository',
  },
  // Who the agent acts as.
  {
    path: 'spec.agent',
    class: 'authorised',
    effect:
      "the agent profile: the pod's image, ServiceAccount (cluster access), GitHub App, and the Secrets its MCP servers send",
    reference: AGENT_PROFILE_REFERENCE,
    also: [MCP_SECRET_REFERENCE],
    config: ['agents{}.restricted'],
  },
  {
    path: 'spec.githubApp',
    class: 'authorised',
    effect:
      'the GitHub App whose installation tokens the pod gets, and so the agent profile (image, ServiceAccount, the Secrets its MCP servers send)',
    reference: AGENT_PROFILE_REFERENCE,
    also: [MCP_SECRET_REFERENCE],
  },
  {
    path: 'spec.githubUser',
    class: 'authorised',
    effect: "the user's token and SSH key Secrets the pod reads",
    reference: GITHUB_USER_REFERENCE,
  },
  {
    path: 'spec.repository.githubUser',
    class: 'authorised',
    effect: "the user's token and SSH key Secrets the pod reads",
    reference: GITHUB_USER_REFERENCE,
  },
  {
    path: 'spec.repositoryUrl',
    class: 'authorised',
    effect: APP_REPOSITORY,
    reference: REPOSITORY_REFERENCE,
    config: ['github.host'],
  },
  {
    path: 'spec.repository.url',
    class: 'authorised',
    effect: APP_REPOSITORY,
    reference: REPOSITORY_REFERENCE,
    config: ['github.host'],
  },
  {
    path: 'spec.docsRepositoryUrl',
    class: 'authorised',
    effect: APP_REPOSITORY,
    reference: REPOSITORY_REFERENCE,
    config: ['github.host'],
  },
  {
    path: 'spec.serviceAccountName',
    class: 'authorised',
    effect: 'the identity the pod runs as (with any cloud identity bound to it)',
    reference: SERVICE_ACCOUNT_REFERENCE,
  },
  // What the pod holds.
  {
    path: 'spec.env',
    class: 'bounded',
    effect: "variables of the agent container (and of the entry script that holds the run's credentials)",
    bound: "not the operator's own variables (GITHUB_*, the result protocol's, …)",
  },
  {
    path: 'spec.envFromSecrets[].name',
    class: 'bounded',
    effect: 'the variable a Secret key is read into',
    bound: "not the operator's own variables",
  },
  {
    path: 'spec.envFromSecrets[].secretName',
    class: 'authorised',
    effect: 'a Secret of the namespace the pod reads',
    reference: ENV_SECRET_REFERENCE,
  },
  { path: 'spec.envFromSecrets[].secretKey', class: 'steering', effect: 'the key read from that Secret' },
  {
    path: 'spec.image',
    class: 'authorised',
    effect: "the program the pod runs, with the run's credentials",
    reference: IMAGE_REFERENCE,
    config: ['agents{}.image', 'agents{}.allowedImages', 'job.allowedImages'],
  },
  {
    path: 'spec.enableDocker',
    class: 'bounded',
    effect: 'a privileged Docker daemon beside the agent: root on the node (docs/security.md "Docker runs")',
    config: ['job.docker.allowed', 'egress.enabled'],
  },
  {
    path: 'spec.podAnnotations',
    class: 'bounded',
    effect: "annotations read by the node's agents (AppArmor, a mesh's or cloud agent's opt-out)",
    config: ['job.allowedPodAnnotations'],
  },
  // Where the pod runs and what it may use.
  {
    path: 'spec.podTemplate.nodeSelector',
    class: 'bounded',
    effect: 'the nodes the pod may run on',
    config: ['job.runPodTemplate.nodeSelectorKeys'],
  },
  {
    path: 'spec.podTemplate.tolerations',
    class: 'bounded',
    effect: 'tainted nodes the pod may run on (control plane, GPU pools)',
    config: ['job.runPodTemplate.tolerationKeys', 'job.runPodTemplate.tolerateAll'],
  },
  {
    path: 'spec.podTemplate.affinity',
    class: 'bounded',
    effect: 'the nodes and neighbours the pod may (or must) have',
    config: ['job.runPodTemplate.affinity'],
  },
  {
    path: 'spec.podTemplate.priorityClassName',
    class: 'authorised',
    effect: 'the priority the pod preempts others with',
    reference: PRIORITY_CLASS_REFERENCE,
    config: ['job.runPodTemplate.priorityClassNames'],
  },
  {
    path: 'spec.podTemplate.runtimeClassName',
    class: 'bounded',
    effect: "the pod's sandbox (gVisor, Kata, or none)",
    config: ['job.runPodTemplate.runtimeClassNames'],
  },
  {
    path: 'spec.resources',
    class: 'bounded',
    effect: "the agent container's CPU, memory and extended resources (GPUs)",
    config: ['agents{}.maxResources', 'job.maxResources'],
  },
  {
    path: 'spec.limits',
    class: 'bounded',
    effect: "what one attempt's agent may spend: its turns and its model spend",
    config: ['agents{}.limits'],
    // Judged again on every change (admission/rules/run-limits.ts) and read when an attempt starts.
    mutable: true,
  },
  {
    path: 'spec.workspace.pvcName',
    class: 'authorised',
    effect: 'a claim of the namespace the pod mounts read-write',
    reference: CLAIM_REFERENCE,
  },
  {
    path: 'spec.workspace.size',
    class: 'bounded',
    effect: 'the size of the workspace claim the operator creates',
    config: ['workspace.maxSize'],
  },
  {
    path: 'spec.workspace.storageClassName',
    class: 'bounded',
    effect: 'the StorageClass of the workspace claim',
    config: ['workspace.allowedStorageClasses'],
  },
  {
    path: 'spec.priority',
    class: 'bounded',
    effect: "which of the profile's resource sets the agent gets",
    config: ['agents{}.resources'],
    // Every choice is one of the profile's own sets, so a change widens nothing.
    mutable: true,
  },
];
